package dev.gpuop.operator.model;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import java.util.List;

/**
 * Whether a DaemonSet is ready, as one rule: the controller has seen the newest generation; zero desired pods is
 * ready (operands are gated by node labels, so a cluster without matching nodes is fine); otherwise every desired
 * pod is updated and available. For OnDelete DaemonSets (the driver) the counters do not show a pending template
 * change, so each pod's revision must be the DaemonSet's newest; the facts for that are gathered by the caller.
 */
public final class DaemonSetReadiness {

    private DaemonSetReadiness() {
    }

    /**
     * The verdict.
     *
     * @param onDelete the pods' facts for an OnDelete DaemonSet, or null for RollingUpdate ones
     */
    public static Verdict evaluate(DaemonSet ds, OnDeleteFacts onDelete) {
        DaemonSetStatus s = ds.getStatus();
        String name = ds.getMetadata().getName();
        if (s == null) {
            return Verdict.notReady(name + ": no status yet");
        }
        long generation = orZero(ds.getMetadata().getGeneration());
        if (orZero(s.getObservedGeneration()) < generation) {
            return Verdict.notReady(name + ": the DaemonSet controller has not seen generation " + generation);
        }
        int desired = orZero(s.getDesiredNumberScheduled());
        if (desired == 0) {
            return Verdict.yes();
        }
        int unavailable = orZero(s.getNumberUnavailable());
        int available = orZero(s.getNumberAvailable());
        if (unavailable != 0 || available < desired) {
            return Verdict.notReady(name + ": " + available + " of " + desired + " pods available");
        }
        if (onDelete != null) {
            long stale = onDelete.pods().stream().filter(p -> !p.revisionHash().equals(onDelete.currentRevision()))
                .count();
            long notRunning = onDelete.pods().stream().filter(p -> !p.runningAndReady()).count();
            if (stale > 0) {
                return Verdict.notReady(name + ": " + stale + " pod(s) on an old revision: the driver upgrade "
                    + "replaces them node by node (nodes' label nvidia.com/gpu-driver-upgrade-state); with "
                    + "driver.upgradePolicy.autoUpgrade=false, delete them to update");
            }
            if (notRunning > 0 || onDelete.pods().size() < desired) {
                return Verdict.notReady(name + ": " + (desired - onDelete.pods().size() + notRunning)
                    + " pod(s) not running and ready");
            }
            return Verdict.yes();
        }
        int updated = orZero(s.getUpdatedNumberScheduled());
        if (updated != desired) {
            return Verdict.notReady(name + ": " + updated + " of " + desired + " pods updated");
        }
        return Verdict.yes();
    }

    private static int orZero(Integer i) {
        return i == null ? 0 : i;
    }

    private static long orZero(Long l) {
        return l == null ? 0 : l;
    }

    /**
     * A DaemonSet's verdict.
     *
     * @param ready whether it is ready
     * @param message why not
     */
    public record Verdict(boolean ready, String message) {

        static Verdict yes() {
            return new Verdict(true, "");
        }

        static Verdict notReady(String why) {
            return new Verdict(false, why);
        }
    }

    /**
     * What an OnDelete DaemonSet's readiness needs beyond its counters.
     *
     * @param currentRevision the hash of the DaemonSet's newest ControllerRevision
     * @param pods its pods
     */
    public record OnDeleteFacts(String currentRevision, List<PodFacts> pods) {
    }

    /**
     * One pod of an OnDelete DaemonSet.
     *
     * @param revisionHash its {@code controller-revision-hash} label
     * @param runningAndReady phase Running and every container ready
     */
    public record PodFacts(String revisionHash, boolean runningAndReady) {
    }
}
