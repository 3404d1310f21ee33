package dev.gpuop.node.toolkit;

import java.nio.file.Path;

/**
 * One file the toolkit step writes or deletes.
 *
 * @param path the file
 * @param before its content now, null when it does not exist
 * @param after its new content, null to delete it
 */
public record FileChange(Path path, String before, String after) {

    /** True when applying the change would leave the file as it is. */
    public boolean isNoop() {
        return before == null ? after == null : before.equals(after);
    }
}
