package dev.gpuop.node.validation;

import java.util.List;
import java.util.Objects;

/**
 * The CUDA stage: the vector add on every GPU CUDA sees, run when the driver or the toolkit changed (or on
 * demand), never on every round: it takes a GPU for about a second, and on a GPU in exclusive-process mode it would
 * fail while a workload holds it. Between runs the last verdict stands.
 */
public final class CudaStage {

    /** Runs the check; the child's exit status and output lines. */
    @FunctionalInterface
    public interface Runner {
        Output run();
    }

    /**
     * The check's exit status and its lines ({@code devices N}, {@code cuda I passed|failed ...},
     * {@code error ...}).
     */
    public record Output(int exit, List<String> lines) {
    }

    private final Runner runner;
    private Object ranFor;
    private StageResult last;
    private java.util.concurrent.CompletableFuture<Output> early;

    public CudaStage(Runner runner) {
        this.runner = runner;
    }

    /**
     * The stage's verdict for this state of the node: the last one while {@code fingerprint} is unchanged, else a
     * new run.
     *
     * @param fingerprint what a new run depends on (driver version, GPUs, the toolkit's verdict)
     * @param expectedGpus how many GPUs CUDA should see (those not in MIG mode)
     * @param force run even when nothing changed
     */
    public synchronized StageResult check(Object fingerprint, int expectedGpus, boolean force) {
        if (last == null && early != null) {
            // the run started with the agent stands for the state the first round finds
            last = verdict(early.join(), expectedGpus);
            ranFor = fingerprint;
            early = null;
        } else if (force || last == null || !Objects.equals(fingerprint, ranFor)) {
            last = verdict(runner.run(), expectedGpus);
            ranFor = fingerprint;
        }
        return last;
    }

    /**
     * Starts the first run now, on its own thread, for the first {@link #check} to use: the child JVM and CUDA's
     * initialisation then overlap the agent's own start (NVML, the device plugin's registration).
     */
    public synchronized void startEarly() {
        if (last == null && early == null) {
            early = java.util.concurrent.CompletableFuture.supplyAsync(runner::run,
                java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        }
    }

    /** Whether the next {@link #check} with this fingerprint runs the vector add. */
    public synchronized boolean wouldRun(Object fingerprint) {
        return last == null || !Objects.equals(fingerprint, ranFor);
    }

    /** Reads the child's output. */
    static StageResult verdict(Output out, int expectedGpus) {
        List<String> failed = out.lines().stream().filter(l -> l.startsWith("cuda ") && l.contains(" failed "))
            .map(l -> "GPU " + l.substring("cuda ".length()).replaceFirst(" failed ", ": ")).toList();
        String error = out.lines().stream().filter(l -> l.startsWith("error ")).map(l -> l.substring(6))
            .findFirst().orElse(null);
        long passed = out.lines().stream().filter(l -> l.startsWith("cuda ") && l.contains(" passed ")).count();
        if (error != null) {
            return StageResult.failed(ValidationStage.CUDA, error);
        }
        if (!failed.isEmpty()) {
            return StageResult.failed(ValidationStage.CUDA, String.join("; ", failed));
        }
        if (out.exit() != 0) {
            return StageResult.failed(ValidationStage.CUDA, "the CUDA check exited " + out.exit() + ": "
                + String.join(" | ", out.lines()));
        }
        if (passed < expectedGpus) {
            return StageResult.failed(ValidationStage.CUDA, "CUDA sees " + passed + " GPU(s), NVML "
                + expectedGpus + " not in MIG mode");
        }
        return StageResult.passed(ValidationStage.CUDA, "vector add passed on " + passed + " GPU(s)");
    }
}
