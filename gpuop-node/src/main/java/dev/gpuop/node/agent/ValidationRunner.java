package dev.gpuop.node.agent;

import dev.gpuop.node.validation.StageResult;
import dev.gpuop.node.validation.ValidationFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs the node checks at start, then on a timer, and on demand ({@code POST /validate}), and keeps NVIDIA's status
 * files true to them: a file appears when its stage passes and goes when it fails (a driver that went away, a CDI
 * spec that lost a GPU, a kubelet that dropped the plugin). Each change is logged with its reason.
 */
final class ValidationRunner implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ValidationRunner.class.getName());

    private final ValidationFiles files;
    private final Function<Boolean, List<StageResult>> stages;
    private final Supplier<String> driverRootOnHost;
    private volatile List<StageResult> last = List.of();
    private final java.util.Set<String> everReady = new java.util.HashSet<>();
    private ScheduledExecutorService timer;

    /**
     * @param stages one round of the checks; its argument forces the checks that otherwise run only on a change
     */
    ValidationRunner(Path dir, Function<Boolean, List<StageResult>> stages, Supplier<String> driverRootOnHost) {
        this.files = new ValidationFiles(dir);
        this.stages = stages;
        this.driverRootOnHost = driverRootOnHost;
    }

    /**
     * Starts the rounds (once; later calls do nothing): every second during {@link #EAGER} after the start, while
     * the parts come up one after the other and each file should appear as soon as its stage passes, then every
     * {@code interval}.
     */
    synchronized void start(Duration interval) {
        if (timer != null) {
            return;
        }
        timer = AgentTimers.daemon("validation");
        Instant eagerUntil = Instant.now().plus(EAGER);
        timer.execute(new Runnable() {
            @Override
            public void run() {
                runQuietly();
                boolean eager = Instant.now().isBefore(eagerUntil) && !last.stream().allMatch(StageResult::ready);
                timer.schedule(this, eager ? 1000 : interval.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    /** How long after the start the rounds come every second until every stage is ready. */
    static final Duration EAGER = Duration.ofSeconds(60);

    private void runQuietly() {
        try {
            run(false);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "validation not written: " + e.getMessage());
        }
    }

    /** One round: the checks, then the files; the results. {@code force} reruns even what did not change. */
    synchronized List<StageResult> run(boolean force) throws IOException {
        List<StageResult> now = stages.apply(force);
        List<Path> changed = files.apply(now, driverRootOnHost.get());
        if (!changed.isEmpty() || !outcomes(now).equals(outcomes(last))) {
            LOG.log(System.Logger.Level.INFO, "validation: {0}", now);
        }
        List<String> firstReady = now.stream().filter(StageResult::ready).map(r -> r.stage().file())
            .filter(everReady::add).toList();
        if (!firstReady.isEmpty()) {
            // how long a node takes from the agent's start to each status file: measured on the GPU machine
            LOG.log(System.Logger.Level.INFO, "validation: {0} ready {1} ms after the node agent started",
                String.join(", ", firstReady), ProcessHandle.current().info().startInstant()
                    .map(t -> Duration.between(t, Instant.now()).toMillis()).orElse(-1L));
        }
        last = now;
        return now;
    }

    /** The latest results (empty before the first round). */
    List<StageResult> last() {
        return last;
    }

    private static List<StageResult.Outcome> outcomes(List<StageResult> r) {
        return r.stream().map(StageResult::outcome).toList();
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
