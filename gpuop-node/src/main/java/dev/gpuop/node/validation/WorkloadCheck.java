package dev.gpuop.node.validation;

/**
 * The plugin stage's workload pod (see {@link WorkloadPod}), run when what it depends on changed: its verdict, or
 * while it runs, a failure saying what it waits for and for how long.
 */
@FunctionalInterface
public interface WorkloadCheck {

    /**
     * @param fingerprint what a new run depends on (driver, GPUs, the toolkit's verdict, the resources offered)
     */
    StageResult check(Object fingerprint);
}
