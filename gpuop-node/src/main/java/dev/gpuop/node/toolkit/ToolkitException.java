package dev.gpuop.node.toolkit;

import java.nio.file.Path;

/**
 * A toolkit step refused to go on. The message names the file (or socket) and says how to fix it, because the
 * person reading it is about to touch the config that every container on the node depends on. Whatever was on
 * disk before is still there when this is thrown.
 */
public class ToolkitException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public ToolkitException(Path file, String problem, String fix) {
        this(file, problem, fix, null);
    }

    public ToolkitException(Path file, String problem, String fix, Throwable cause) {
        super(file + ": " + problem + (fix == null ? "" : ". Fix: " + fix), cause);
        this.file = file;
    }

    /** The file or socket the problem is about. */
    public Path file() {
        return file;
    }
}
