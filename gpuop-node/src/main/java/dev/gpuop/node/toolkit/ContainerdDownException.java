package dev.gpuop.node.toolkit;

import java.nio.file.Path;

/** containerd did not answer on its socket after the restart; the previous config has been put back. */
public final class ContainerdDownException extends ToolkitException {

    private static final long serialVersionUID = 1L;

    public ContainerdDownException(Path socket, String problem, String fix) {
        super(socket, problem, fix);
    }
}
