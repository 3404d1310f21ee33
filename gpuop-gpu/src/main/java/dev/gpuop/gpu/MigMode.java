package dev.gpuop.gpu;

/**
 * A GPU's MIG mode.
 *
 * @param current enabled now
 * @param pending enabled after the next GPU reset (differs from current while a change waits for a reset)
 */
public record MigMode(boolean current, boolean pending) {

    /** True while a mode change waits for a GPU reset. */
    public boolean changePending() {
        return current != pending;
    }
}
