package dev.gpuop.operator.upgrade;

import dev.gpuop.operator.upgrade.NodeView.PodView;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One node's next step through NVIDIA's upgrade states, decided from what the node shows now. Pure: it reads a
 * {@link NodeView} and returns a {@link NodeChange}; every state can be entered fresh (an operator restart reads the
 * label and goes on). Order: upgrade-required → cordon-required → wait-for-jobs-required → pod-deletion-required →
 * (drain-required) → pod-restart-required → validation-required → uncordon-required → upgrade-done; any step that
 * cannot finish goes to upgrade-failed with the reason, and the node stays cordoned for the admin.
 */
public final class NodeUpgradeStep {

    /** NVIDIA's: set when the node was already unschedulable before the upgrade cordoned it (then left so). */
    public static final String INITIAL_UNSCHEDULABLE = "nvidia.com/gpu-driver-upgrade.node-initial-state.unschedulable";
    /** NVIDIA's: asks for an upgrade of a node whose driver pod is current. */
    public static final String REQUESTED = "nvidia.com/gpu-driver-upgrade-requested";
    /** NVIDIA's node label that keeps a node out of upgrades. */
    public static final String SKIP = "nvidia.com/gpu-driver-upgrade.skip";
    /** NVIDIA's pod label that keeps a pod out of a drain. */
    public static final String SKIP_DRAIN = "nvidia.com/gpu-driver-upgrade-drain.skip";
    /** When the node entered its state, in epoch seconds: the timeouts count from it. */
    public static final String SINCE = "gpuop.dev/driver-upgrade-since";
    /** Why the node's upgrade failed. */
    public static final String FAILURE = "gpuop.dev/driver-upgrade-failure";

    private final UpgradePolicy policy;
    private final String revision;
    private final Instant now;

    /**
     * @param revision the driver DaemonSet's current revision ({@code controller-revision-hash})
     */
    public NodeUpgradeStep(UpgradePolicy policy, String revision, Instant now) {
        this.policy = policy;
        this.revision = revision;
        this.now = now;
    }

    /**
     * @param mayStart whether the limits let this node leave {@code upgrade-required} now
     */
    public NodeChange decide(NodeView n, boolean mayStart) {
        if (n.skip()) {
            return NodeChange.none(n);
        }
        return switch (n.state()) {
            case UNKNOWN, UPGRADE_DONE -> n.outdated(revision) ? to(n, UpgradeState.UPGRADE_REQUIRED, "driver pod "
                + n.driver().map(NodeView.DriverPod::name).orElse("?") + " is older than its DaemonSet")
                : n.state() == UpgradeState.UNKNOWN && n.driver().isPresent()
                ? to(n, UpgradeState.UPGRADE_DONE, "") : NodeChange.none(n);
            case UPGRADE_REQUIRED -> required(n, mayStart);
            case CORDON_REQUIRED -> change(n, UpgradeState.WAIT_FOR_JOBS_REQUIRED, Optional.of(true), Map.of(),
                List.of(), List.of(), "cordoned");
            case WAIT_FOR_JOBS_REQUIRED -> waitForJobs(n);
            case POD_DELETION_REQUIRED -> deleteGpuPods(n);
            case DRAIN_REQUIRED -> drain(n);
            case POD_RESTART_REQUIRED -> restartDriver(n);
            case VALIDATION_REQUIRED -> validate(n);
            case UNCORDON_REQUIRED -> uncordon(n);
            case UPGRADE_FAILED -> n.driverCurrentAndReady(revision) && !n.upgradeRequested()
                ? to(n, UpgradeState.UNCORDON_REQUIRED, "the driver pod is current and ready again")
                : NodeChange.none(n);
        };
    }

    private NodeChange required(NodeView n, boolean mayStart) {
        if (!n.outdated(revision)) {
            return to(n, UpgradeState.UPGRADE_DONE, "the driver pod is current");
        }
        if (!mayStart) {
            return NodeChange.none(n);
        }
        Map<String, String> a = new HashMap<>();
        a.put(INITIAL_UNSCHEDULABLE, n.unschedulable() ? "true" : null);
        return change(n, UpgradeState.CORDON_REQUIRED, Optional.empty(), a, List.of(), List.of(), "upgrade started");
    }

    private NodeChange waitForJobs(NodeView n) {
        List<PodView> running = n.pods().stream().filter(p -> !p.finished()).toList();
        if (policy.waitSelector().isEmpty() || running.isEmpty()) {
            return to(n, UpgradeState.POD_DELETION_REQUIRED, "");
        }
        if (expired(n, policy.waitTimeout())) {
            return to(n, UpgradeState.POD_DELETION_REQUIRED, "stopped waiting for " + names(running) + " after "
                + policy.waitTimeout().toSeconds() + " s");
        }
        return NodeChange.none(n);
    }

    private NodeChange deleteGpuPods(NodeView n) {
        List<PodView> gpu = n.pods().stream().filter(p -> p.usesGpu() && !p.finished() && !p.daemonSet()).toList();
        UpgradeState next = policy.drainEnabled() ? UpgradeState.DRAIN_REQUIRED : UpgradeState.POD_RESTART_REQUIRED;
        if (gpu.isEmpty()) {
            return to(n, next, "");
        }
        List<PodView> kept = gpu.stream().filter(p -> !p.hasController() && !policy.deletionForce()
            || p.emptyDir() && !policy.deletionEmptyDir()).toList();
        if (!kept.isEmpty()) {
            // NVIDIA's order: a drain may still take them; without one the node cannot go on
            return policy.drainEnabled() ? to(n, next, "GPU pods left to the drain: " + names(kept))
                : failed(n, "GPU pods " + names(kept) + " would be lost (no controller makes them again, or an "
                + "emptyDir); allow it with driver.upgradePolicy.podDeletion.force / deleteEmptyDir, or delete them");
        }
        if (expired(n, policy.deletionTimeout())) {
            return failed(n, "GPU pods " + names(gpu) + " still there " + policy.deletionTimeout().toSeconds()
                + " s after their deletion (driver.upgradePolicy.podDeletion.timeoutSeconds)");
        }
        return change(n, n.state(), Optional.empty(), Map.of(), pending(gpu), List.of(), "");
    }

    private NodeChange drain(NodeView n) {
        List<PodView> left = n.pods().stream().filter(p -> !p.finished() && !p.daemonSet() && !p.skipDrain()).toList();
        if (left.isEmpty()) {
            return to(n, UpgradeState.POD_RESTART_REQUIRED, "drained");
        }
        List<PodView> kept = left.stream().filter(p -> !p.hasController() && !policy.drainForce()
            || p.emptyDir() && !policy.drainEmptyDir()).toList();
        if (!kept.isEmpty()) {
            return failed(n, "the drain would lose pods " + names(kept) + " (no controller makes them again, or an "
                + "emptyDir); allow it with driver.upgradePolicy.drain.force / deleteEmptyDir");
        }
        if (expired(n, policy.drainTimeout())) {
            return failed(n, "pods " + names(left) + " still there " + policy.drainTimeout().toSeconds()
                + " s into the drain (driver.upgradePolicy.drain.timeoutSeconds)");
        }
        return change(n, n.state(), Optional.empty(), Map.of(), List.of(), pending(left), "");
    }

    private NodeChange restartDriver(NodeView n) {
        if (n.driver().isEmpty()) {
            return NodeChange.none(n); // the DaemonSet makes the new one
        }
        NodeView.DriverPod d = n.driver().get();
        if (d.terminating()) {
            return NodeChange.none(n);
        }
        if (!d.revision().equals(revision) || n.upgradeRequested()) {
            PodView pod = new PodView("", d.name(), false, false, false, true, true, false, false);
            Map<String, String> a = new HashMap<>();
            a.put(REQUESTED, null);
            return change(n, n.state(), Optional.empty(), n.upgradeRequested() ? a : Map.of(), List.of(pod),
                List.of(), "driver pod " + d.name() + " deleted for the new revision " + revision);
        }
        return d.ready() ? to(n, UpgradeState.VALIDATION_REQUIRED, "new driver pod " + d.name() + " ready")
            : NodeChange.none(n);
    }

    private NodeChange validate(NodeView n) {
        if (n.agentReady().orElse(true) && n.driverCurrentAndReady(revision)) {
            return to(n, UpgradeState.UNCORDON_REQUIRED, "validated");
        }
        if (expired(n, UpgradePolicy.VALIDATION_TIMEOUT)) {
            return failed(n, "the node agent was not ready " + UpgradePolicy.VALIDATION_TIMEOUT.toSeconds()
                + " s after the new driver started");
        }
        return NodeChange.none(n);
    }

    private NodeChange uncordon(NodeView n) {
        Map<String, String> a = new HashMap<>();
        a.put(INITIAL_UNSCHEDULABLE, null);
        a.put(FAILURE, null);
        a.put(SINCE, null);
        return change(n, UpgradeState.UPGRADE_DONE, Optional.of(n.initiallyUnschedulable()), a, List.of(), List.of(),
            n.initiallyUnschedulable() ? "upgrade done; left cordoned as it was before" : "upgrade done, uncordoned");
    }

    private NodeChange failed(NodeView n, String why) {
        Map<String, String> a = new HashMap<>();
        a.put(FAILURE, why);
        return change(n, UpgradeState.UPGRADE_FAILED, Optional.empty(), a, List.of(), List.of(), why);
    }

    private NodeChange to(NodeView n, UpgradeState state, String message) {
        return change(n, state, Optional.empty(), Map.of(), List.of(), List.of(), message);
    }

    private NodeChange change(NodeView n, UpgradeState to, Optional<Boolean> unschedulable, Map<String, String> a,
        List<PodView> delete, List<PodView> evict, String message) {
        Map<String, String> annotations = new HashMap<>(a);
        if (to != n.state() && !annotations.containsKey(SINCE) && to != UpgradeState.UPGRADE_DONE) {
            annotations.put(SINCE, Long.toString(now.getEpochSecond()));
        }
        if (n.state() == UpgradeState.UPGRADE_FAILED && to != n.state()) {
            annotations.put(FAILURE, null);
        }
        return new NodeChange(n.name(), n.state(), to, unschedulable, annotations, delete, evict,
            message.isEmpty() ? Optional.empty() : Optional.of(message));
    }

    private boolean expired(NodeView n, Duration timeout) {
        return !timeout.isZero() && n.stateSince().map(s -> !now.isBefore(s.plus(timeout))).orElse(false);
    }

    /** Pods not yet on their way out: asking again for one that terminates would only add API calls. */
    private static List<PodView> pending(List<PodView> pods) {
        return pods.stream().filter(p -> !p.terminating()).toList();
    }

    private static String names(List<PodView> pods) {
        return pods.stream().map(PodView::ref).limit(5).toList() + (pods.size() > 5 ? " and " + (pods.size() - 5)
            + " more" : "");
    }
}
