package dev.gpuop.operator.upgrade;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One pass over every node of the driver: each node's next step, and which waiting nodes may start, so that no
 * more than {@code maxParallelUpgrades} are in progress and no more than {@code maxUnavailable} are out of service
 * (in progress, failed, or cordoned by someone else) at any time. Nodes start in name order.
 */
public final class UpgradePlan {

    private UpgradePlan() {
    }

    /**
     * @param revision the driver DaemonSet's current {@code controller-revision-hash}
     * @return the changes to make, nodes with nothing to do left out
     */
    public static List<NodeChange> of(UpgradePolicy policy, String revision, List<NodeView> nodes, Instant now) {
        NodeUpgradeStep step = new NodeUpgradeStep(policy, revision, now);
        long inProgress = nodes.stream().filter(n -> n.state().inProgress()).count();
        long unavailable = nodes.stream().filter(UpgradePlan::unavailable).count();
        long parallel = Math.max(0, policy.parallelLimit() - inProgress);
        long room = Math.max(0, policy.maxUnavailable(nodes.size()) - unavailable);
        List<NodeChange> changes = new ArrayList<>();
        for (NodeView n : nodes.stream().sorted(Comparator.comparing(NodeView::name)).toList()) {
            boolean mayStart = false;
            if (n.state() == UpgradeState.UPGRADE_REQUIRED && !n.skip() && parallel > 0
                && (n.unschedulable() || room > 0)) {
                mayStart = true;
                parallel--;
                room -= n.unschedulable() ? 0 : 1;
            }
            NodeChange c = step.decide(n, mayStart);
            // a step that only moved the label goes on in the same pass while the next state needs nothing read
            // anew (no pods): a wave of nodes takes 6 passes instead of 10
            while (!c.isNone() && c.from() != c.to() && c.delete().isEmpty() && c.evict().isEmpty()
                && decidesFromTheView(c.to(), policy)) {
                NodeChange more = step.decide(n.after(c, now), false);
                if (more.isNone()) {
                    break;
                }
                c = c.then(more);
            }
            if (!c.isNone()) {
                changes.add(c);
            }
        }
        return changes;
    }

    /** States whose step reads only what a view already holds (not the node's pods). */
    private static boolean decidesFromTheView(UpgradeState s, UpgradePolicy policy) {
        return switch (s) {
            case CORDON_REQUIRED, POD_RESTART_REQUIRED, VALIDATION_REQUIRED, UNCORDON_REQUIRED -> true;
            case WAIT_FOR_JOBS_REQUIRED -> policy.waitSelector().isEmpty();
            default -> false;
        };
    }

    private static boolean unavailable(NodeView n) {
        return n.state().inProgress() || n.state() == UpgradeState.UPGRADE_FAILED || n.unschedulable();
    }
}
