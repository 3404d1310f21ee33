package dev.gpuop.node.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gpuop.node.validation.StageResult;
import dev.gpuop.node.validation.ValidationStage;
import dev.gpuop.node.validation.WorkloadCheck;
import dev.gpuop.node.validation.WorkloadPod;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs the workload pod through the API server, one at a time, off the validation thread: a round asks, a pod is
 * started when the fingerprint changed, and until it is done the stage says what the pod waits for and since when.
 * The pod is deleted when it is done (or given up on after {@link #TIMEOUT}).
 */
final class WorkloadPodRunner implements WorkloadCheck {

    private static final System.Logger LOG = System.getLogger(WorkloadPodRunner.class.getName());
    static final Duration TIMEOUT = Duration.ofMinutes(3);

    private final ApiServerClient api;
    private final String node;
    private final WorkloadPod.Settings settings;
    private final boolean simulated;
    private final Clock clock = Clock.systemUTC();
    private Object doneFor;
    private StageResult done;
    private Object runningFor;
    private volatile Instant startedAt;
    private volatile String waitingOn = "creating the pod";

    WorkloadPodRunner(ApiServerClient api, String node, WorkloadPod.Settings settings, boolean simulated) {
        this.api = api;
        this.node = node;
        this.settings = settings;
        this.simulated = simulated;
    }

    @Override
    public synchronized StageResult check(Object fingerprint) {
        if (done != null && Objects.equals(fingerprint, doneFor)) {
            return done;
        }
        if (runningFor == null) {
            runningFor = fingerprint;
            startedAt = clock.instant();
            waitingOn = "creating the pod";
            Thread.ofVirtual().name("gpuop-workload-check").start(() -> finish(fingerprint, run()));
        }
        return StageResult.failed(ValidationStage.PLUGIN, "waiting for workload pod " + settings.namespace() + "/"
            + WorkloadPod.name(node) + ": " + waitingOn + " (" + Duration.between(startedAt, clock.instant())
            .toSeconds() + " s)");
    }

    private synchronized void finish(Object fingerprint, StageResult result) {
        done = result;
        doneFor = fingerprint;
        runningFor = null;
        LOG.log(System.Logger.Level.INFO, "workload check: {0}", result);
    }

    private StageResult run() {
        String name = WorkloadPod.name(node);
        try {
            api.deletePod(settings.namespace(), name);
            Instant deadline = clock.instant().plus(TIMEOUT);
            while (!api.createPod(settings.namespace(), WorkloadPod.manifest(node, settings, simulated))) {
                waitingOn = "an earlier pod of that name to go";
                if (clock.instant().isAfter(deadline)) {
                    return StageResult.failed(ValidationStage.PLUGIN, "an earlier workload pod " + name
                        + " is not going away");
                }
                Thread.sleep(1000);
            }
            while (clock.instant().isBefore(deadline)) {
                Optional<JsonNode> pod = api.getPod(settings.namespace(), name);
                if (pod.isEmpty()) {
                    return StageResult.failed(ValidationStage.PLUGIN, "workload pod " + name + " was deleted");
                }
                Optional<StageResult> verdict = WorkloadPod.verdict(pod.get());
                if (verdict.isPresent()) {
                    return verdict.get();
                }
                waitingOn = WorkloadPod.waiting(pod.get());
                Thread.sleep(1000);
            }
            return StageResult.failed(ValidationStage.PLUGIN, "workload pod " + name + " did not finish in "
                + TIMEOUT.toMinutes() + " min: " + waitingOn);
        } catch (IOException e) {
            return StageResult.failed(ValidationStage.PLUGIN, "the workload pod cannot be run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return StageResult.failed(ValidationStage.PLUGIN, "interrupted");
        } finally {
            try {
                api.deletePod(settings.namespace(), name);
            } catch (IOException | InterruptedException e) {
                LOG.log(System.Logger.Level.WARNING, "workload pod " + name + " not deleted: " + e.getMessage());
            }
        }
    }
}
