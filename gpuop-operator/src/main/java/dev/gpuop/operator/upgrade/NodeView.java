package dev.gpuop.operator.upgrade;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the upgrade needs to know of one node, read from the API by the controller.
 *
 * @param stateSince when the node entered its state (gpuop's annotation); empty when unknown
 * @param driver the node's driver pod, if the DaemonSet has one there
 * @param agentReady whether the node agent's pod there is ready; empty when no agent pod runs there
 * @param pods the pods the current state acts on (only read in the states that need them): the wait selector's,
 *     the node's GPU pods, or the drain selector's
 */
public record NodeView(String name, UpgradeState state, boolean unschedulable, boolean initiallyUnschedulable,
    boolean upgradeRequested, boolean skip, Optional<Instant> stateSince, Optional<DriverPod> driver,
    Optional<Boolean> agentReady, List<PodView> pods) {

    /** The node's driver pod. */
    public record DriverPod(String name, String revision, boolean ready, boolean terminating) {
    }

    /**
     * A pod on the node.
     *
     * @param usesGpu it requests an {@code nvidia.com/} resource
     * @param hasController a controller would make it again (ReplicaSet, Job, StatefulSet, ...)
     * @param daemonSet its controller is a DaemonSet (never evicted: it would come back on the node)
     * @param skipDrain it carries NVIDIA's {@code nvidia.com/gpu-driver-upgrade-drain.skip=true}
     */
    public record PodView(String namespace, String name, boolean finished, boolean terminating, boolean usesGpu,
        boolean hasController, boolean daemonSet, boolean emptyDir, boolean skipDrain) {

        public String ref() {
            return namespace + "/" + name;
        }
    }

    /** The node as it is once {@code c} is made (its pods are not known anew). */
    public NodeView after(NodeChange c, Instant now) {
        Map<String, String> a = c.annotations();
        boolean initially = a.containsKey(NodeUpgradeStep.INITIAL_UNSCHEDULABLE)
            ? "true".equals(a.get(NodeUpgradeStep.INITIAL_UNSCHEDULABLE)) : initiallyUnschedulable;
        boolean requested = a.containsKey(NodeUpgradeStep.REQUESTED) ? a.get(NodeUpgradeStep.REQUESTED) != null
            : upgradeRequested;
        return new NodeView(name, c.to(), c.unschedulable().orElse(unschedulable), initially, requested, skip,
            c.from() == c.to() ? stateSince : Optional.of(now), driver, agentReady, List.of());
    }

    /** Whether the driver pod there is older than the DaemonSet, or an upgrade was asked for by annotation. */
    public boolean outdated(String revision) {
        return upgradeRequested || driver.map(d -> !d.revision().equals(revision)).orElse(false);
    }

    /** Whether a driver pod of the current revision runs there and is ready. */
    public boolean driverCurrentAndReady(String revision) {
        return driver.map(d -> d.revision().equals(revision) && d.ready() && !d.terminating()).orElse(false);
    }
}
