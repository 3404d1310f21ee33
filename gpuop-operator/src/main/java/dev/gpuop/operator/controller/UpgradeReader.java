package dev.gpuop.operator.controller;

import dev.gpuop.operator.upgrade.NodeUpgradeStep;
import dev.gpuop.operator.upgrade.NodeView;
import dev.gpuop.operator.upgrade.NodeView.DriverPod;
import dev.gpuop.operator.upgrade.NodeView.PodView;
import dev.gpuop.operator.upgrade.UpgradePolicy;
import dev.gpuop.operator.upgrade.UpgradeState;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads what an upgrade pass needs from the API: the driver DaemonSet's current revision, its pods and the node
 * agent's by node, and the pods of the nodes whose state acts on pods. Nodes come from the operator's cache.
 */
final class UpgradeReader {

    static final String DRIVER_DAEMONSET = "nvidia-driver-daemonset";
    static final String REVISION_LABEL = "controller-revision-hash";

    private final KubernetesClient client;
    private final String namespace;

    UpgradeReader(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    String namespace() {
        return namespace;
    }

    /** The driver DaemonSet's current revision hash; empty without a DaemonSet or before its first revision. */
    Optional<String> currentRevision(ApiCalls calls) {
        calls.read();
        DaemonSet ds = client.apps().daemonSets().inNamespace(namespace).withName(DRIVER_DAEMONSET).get();
        if (ds == null) {
            return Optional.empty();
        }
        calls.read();
        String uid = ds.getMetadata().getUid();
        return client.apps().controllerRevisions().inNamespace(namespace)
            .withLabels(ds.getSpec().getSelector().getMatchLabels()).list().getItems().stream()
            .filter(r -> r.getMetadata().getOwnerReferences().stream().anyMatch(o -> uid.equals(o.getUid())))
            .max(Comparator.comparing(ControllerRevision::getRevision))
            .map(r -> r.getMetadata().getLabels().get(REVISION_LABEL));
    }

    /** Every node with a driver pod or an upgrade state, as the step reads it. */
    List<NodeView> nodes(Collection<Node> cached, UpgradePolicy policy, ApiCalls calls) {
        Map<String, Pod> drivers = podsByNode(Map.of("app", DRIVER_DAEMONSET), calls);
        Map<String, Pod> agents = podsByNode(Map.of("app", "gpuop-node-agent"), calls);
        List<NodeView> views = new ArrayList<>();
        for (Node n : cached) {
            Map<String, String> labels = orEmpty(n.getMetadata().getLabels());
            String name = n.getMetadata().getName();
            if (!drivers.containsKey(name) && !labels.containsKey(UpgradeState.LABEL)) {
                continue;
            }
            Map<String, String> a = orEmpty(n.getMetadata().getAnnotations());
            UpgradeState state = UpgradeState.of(labels.getOrDefault(UpgradeState.LABEL, ""));
            views.add(new NodeView(name, state, Boolean.TRUE.equals(n.getSpec().getUnschedulable()),
                "true".equals(a.get(NodeUpgradeStep.INITIAL_UNSCHEDULABLE)),
                "true".equals(a.get(NodeUpgradeStep.REQUESTED)), "true".equals(labels.get(NodeUpgradeStep.SKIP)),
                Optional.ofNullable(a.get(NodeUpgradeStep.SINCE)).flatMap(UpgradeReader::epoch),
                Optional.ofNullable(drivers.get(name)).map(UpgradeReader::driverPod),
                Optional.ofNullable(agents.get(name)).map(UpgradeReader::ready),
                pods(name, state, policy, calls)));
        }
        return views;
    }

    /** The pods the node's state acts on; none in the states that act on no pod. */
    private List<PodView> pods(String node, UpgradeState state, UpgradePolicy policy, ApiCalls calls) {
        Optional<String> selector = switch (state) {
            case WAIT_FOR_JOBS_REQUIRED -> policy.waitSelector();
            case POD_DELETION_REQUIRED -> Optional.of("");
            case DRAIN_REQUIRED -> Optional.of(policy.drainSelector().orElse(""));
            default -> Optional.empty();
        };
        if (selector.isEmpty()) {
            return List.of();
        }
        calls.read();
        var options = new ListOptionsBuilder().withFieldSelector("spec.nodeName=" + node);
        if (!selector.get().isEmpty()) {
            options.withLabelSelector(selector.get());
        }
        return client.pods().inAnyNamespace().list(options.build()).getItems().stream().map(UpgradeReader::podView)
            .toList();
    }

    private Map<String, Pod> podsByNode(Map<String, String> labels, ApiCalls calls) {
        calls.read();
        Map<String, Pod> byNode = new HashMap<>();
        for (Pod p : client.pods().inNamespace(namespace).withLabels(labels).list().getItems()) {
            String node = p.getSpec().getNodeName();
            // a node's newest pod stands for it (an old one may still be terminating beside it)
            if (node != null && (!byNode.containsKey(node) || p.getMetadata().getDeletionTimestamp() == null)) {
                byNode.put(node, p);
            }
        }
        return byNode;
    }

    static PodView podView(Pod p) {
        Optional<OwnerReference> controller = p.getMetadata().getOwnerReferences().stream()
            .filter(o -> Boolean.TRUE.equals(o.getController())).findFirst();
        String phase = p.getStatus() == null ? "" : String.valueOf(p.getStatus().getPhase());
        boolean gpu = Stream.concat(p.getSpec().getContainers().stream(), p.getSpec().getInitContainers().stream())
            .map(Container::getResources).anyMatch(UpgradeReader::requestsGpu);
        return new PodView(p.getMetadata().getNamespace(), p.getMetadata().getName(),
            phase.equals("Succeeded") || phase.equals("Failed"), p.getMetadata().getDeletionTimestamp() != null, gpu,
            controller.isPresent(), controller.map(o -> "DaemonSet".equals(o.getKind())).orElse(false),
            p.getSpec().getVolumes().stream().anyMatch(v -> v.getEmptyDir() != null),
            "true".equals(orEmpty(p.getMetadata().getLabels()).get(NodeUpgradeStep.SKIP_DRAIN)));
    }

    private static boolean requestsGpu(ResourceRequirements r) {
        return r != null && Stream.of(r.getRequests(), r.getLimits()).filter(m -> m != null)
            .flatMap(m -> m.keySet().stream()).anyMatch(k -> k.startsWith("nvidia.com/"));
    }

    private static DriverPod driverPod(Pod p) {
        return new DriverPod(p.getMetadata().getName(), orEmpty(p.getMetadata().getLabels())
            .getOrDefault(REVISION_LABEL, ""), ready(p), p.getMetadata().getDeletionTimestamp() != null);
    }

    private static boolean ready(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static Optional<Instant> epoch(String s) {
        try {
            return Optional.of(Instant.ofEpochSecond(Long.parseLong(s.strip())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Map<String, String> orEmpty(Map<String, String> m) {
        return m == null ? Map.of() : m;
    }
}
