package dev.gpuop.operator.upgrade;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one pass does to one node: its next state and the node fields that go with it (one patch), and the pods to
 * delete or evict. A change with nothing to do is not made.
 *
 * @param unschedulable the node's new {@code spec.unschedulable}; empty: left as it is
 * @param annotations annotations to set; a null value removes one
 * @param message why, for the log and the Node's Event; empty when nothing happened worth telling
 */
public record NodeChange(String node, UpgradeState from, UpgradeState to, Optional<Boolean> unschedulable,
    Map<String, String> annotations, List<NodeView.PodView> delete, List<NodeView.PodView> evict,
    Optional<String> message) {

    /** Nothing to do for the node. */
    public static NodeChange none(NodeView n) {
        return new NodeChange(n.name(), n.state(), n.state(), Optional.empty(), Map.of(), List.of(), List.of(),
            Optional.empty());
    }

    /** This change followed by {@code next} (decided on the node as this one leaves it), as one. */
    public NodeChange then(NodeChange next) {
        Map<String, String> a = new HashMap<>(annotations);
        a.putAll(next.annotations);
        List<NodeView.PodView> del = new ArrayList<>(delete);
        del.addAll(next.delete);
        List<NodeView.PodView> ev = new ArrayList<>(evict);
        ev.addAll(next.evict);
        Optional<String> m = message.isEmpty() ? next.message : next.message.isEmpty() ? message
            : Optional.of(message.get() + "; " + next.message.get());
        return new NodeChange(node, from, next.to, next.unschedulable.or(() -> unschedulable), a, del, ev, m);
    }

    public boolean isNone() {
        return from == to && unschedulable.isEmpty() && annotations.isEmpty() && delete.isEmpty() && evict.isEmpty();
    }

    /** Whether the node object itself is patched. */
    public boolean patchesNode() {
        return from != to || unschedulable.isPresent() || !annotations.isEmpty();
    }
}
