package dev.gpuop.operator.controller;

import dev.gpuop.api.v1alpha1.ComponentState;
import dev.gpuop.api.v1alpha1.OperandStatus;
import dev.gpuop.operator.model.DaemonSetReadiness;
import dev.gpuop.operator.plan.OperandPlan;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * An operand's state from its DaemonSets, by {@link DaemonSetReadiness}. Only OnDelete DaemonSets (the driver) cost
 * extra reads: their pods and ControllerRevisions, for the revision check the counters cannot do.
 */
final class OperandReadiness {

    private final KubernetesClient client;
    private final String namespace;

    OperandReadiness(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    OperandStatus of(OperandPlan plan, List<DaemonSet> daemonSets, ApiCalls calls) {
        if (!plan.enabled()) {
            return new OperandStatus(plan.id().id(), ComponentState.DISABLED, "");
        }
        List<String> why = new ArrayList<>();
        for (DaemonSet ds : daemonSets) {
            boolean onDelete = "OnDelete".equals(ds.getSpec().getUpdateStrategy().getType());
            DaemonSetReadiness.Verdict v = DaemonSetReadiness.evaluate(ds, onDelete ? facts(ds, calls) : null);
            if (!v.ready()) {
                why.add(v.message());
            }
        }
        return why.isEmpty() ? new OperandStatus(plan.id().id(), ComponentState.READY, "")
            : new OperandStatus(plan.id().id(), ComponentState.NOT_READY, String.join("; ", why));
    }

    private DaemonSetReadiness.OnDeleteFacts facts(DaemonSet ds, ApiCalls calls) {
        String uid = ds.getMetadata().getUid();
        calls.read();
        String current = client.apps().controllerRevisions().inNamespace(namespace)
            .withLabels(ds.getSpec().getSelector().getMatchLabels()).list().getItems().stream()
            .filter(r -> ownedBy(r.getMetadata().getOwnerReferences(), uid))
            .max(Comparator.comparingLong(ControllerRevision::getRevision))
            .map(r -> r.getMetadata().getLabels().getOrDefault("controller-revision-hash", ""))
            .orElse("");
        calls.read();
        List<DaemonSetReadiness.PodFacts> pods = client.pods().inNamespace(namespace)
            .withLabels(ds.getSpec().getSelector().getMatchLabels()).list().getItems().stream()
            .filter(p -> ownedBy(p.getMetadata().getOwnerReferences(), uid))
            .map(p -> new DaemonSetReadiness.PodFacts(p.getMetadata().getLabels()
                .getOrDefault("controller-revision-hash", ""), runningAndReady(p))).toList();
        return new DaemonSetReadiness.OnDeleteFacts(current, pods);
    }

    private static boolean ownedBy(List<io.fabric8.kubernetes.api.model.OwnerReference> refs, String uid) {
        return refs != null && refs.stream().anyMatch(r -> r.getUid().equals(uid));
    }

    private static boolean runningAndReady(Pod p) {
        return p.getStatus() != null && "Running".equals(p.getStatus().getPhase())
            && p.getStatus().getContainerStatuses().stream().allMatch(c -> Boolean.TRUE.equals(c.getReady()));
    }
}
