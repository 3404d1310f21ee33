package dev.gpuop.node.toolkit;

import java.util.List;

/**
 * What an install or uninstall will do, before anything is written.
 *
 * @param strategy where the runtime config goes
 * @param changes the files that differ from what is on disk (empty: nothing to do, nothing to restart)
 * @param checkRender for the template strategy, the config containerd would get (the rendered base with our
 *     block), to be checked before it is written; null otherwise
 * @param notes what the user should know
 */
public record ToolkitPlan(Strategy strategy, List<FileChange> changes, String checkRender, List<String> notes) {

    /** Where the handlers are written. */
    public enum Strategy {
        /** a file of our own in a directory containerd imports (containerd 2.x merges it into the root config) */
        DROP_IN,
        /** the root config itself (containerd 1.x replaces whole plugin sections on import) */
        IN_PLACE,
        /** the K3s/RKE2 template that extends {@code {{ template "base" . }}} */
        TEMPLATE
    }

    public ToolkitPlan {
        changes = changes.stream().filter(c -> !c.isNoop()).toList();
        notes = List.copyOf(notes);
    }

    /** True when nothing on disk would change. */
    public boolean isNoop() {
        return changes.isEmpty();
    }
}
