package dev.gpuop.operator.controller;

import dev.gpuop.api.v1alpha1.ClusterPolicy;
import dev.gpuop.operator.model.ClusterInfoObserver;
import dev.gpuop.operator.model.NodeLabels;
import dev.gpuop.operator.operand.OperatorSettings;
import dev.gpuop.operator.plan.Stamp;
import dev.gpuop.operator.upgrade.UpgradeState;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The JOSDK side: watches ClusterPolicies (spec changes only), Nodes (only changes that matter: labels and the node
 * agent's report, never heartbeats) and gpuop's DaemonSets, and hands each reconcile to {@link PolicyController},
 * which writes the status itself only when it changed.
 */
@ControllerConfiguration(name = "clusterpolicy")
public final class ClusterPolicyReconciler implements Reconciler<ClusterPolicy> {

    /** The node agent's report: its state, why not ready, a pre-installed driver, and the node checks' verdict. */
    private static final Set<String> REPORT_KEYS = Set.of(NodeLabels.AGENT_STATE, NodeLabels.AGENT_REASON,
        NodeLabels.AGENT_DRIVER_PREINSTALLED, NodeLabels.AGENT_VALIDATION);

    /** Nodes per page of the node informer's list. */
    static final long NODE_LIST_PAGE = 250;

    private final OperatorSettings settings;
    private final OperatorMetrics metrics;
    private volatile InformerEventSource<Node, ClusterPolicy> nodes;
    private volatile PolicyController controller;

    public ClusterPolicyReconciler(OperatorSettings settings, OperatorMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public List<EventSource<?, ClusterPolicy>> prepareEventSources(EventSourceContext<ClusterPolicy> ctx) {
        nodes = new InformerEventSource<>(InformerEventSourceConfiguration.from(Node.class, ClusterPolicy.class)
            .withName("nodes").withItemStore(new NodeCacheStore())
            // pages of the first list: a list of 5,000 nodes in one answer would be parsed whole, every field of
            // every node, before the cache prunes it, and the heap would grow to hold it all at once
            .withInformerListLimit(NODE_LIST_PAGE)
            .withSecondaryToPrimaryMapper(n -> ctx.getPrimaryCache().list().map(ResourceID::fromResource)
                .collect(Collectors.toSet()))
            .withOnUpdateFilter(ClusterPolicyReconciler::matters)
            .build(), ctx);
        InformerEventSource<DaemonSet, ClusterPolicy> daemonSets = new InformerEventSource<>(
            InformerEventSourceConfiguration.from(DaemonSet.class, ClusterPolicy.class).withName("daemonsets")
                .withNamespaces(settings.namespace())
                .withLabelSelector(Stamp.LABELS.getFirst().getKey() + "=" + Stamp.LABELS.getFirst().getValue())
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(ClusterPolicy.class, true))
                .build(), ctx);
        // the operator's namespace's ConfigMaps (the user's device plugin configs carry no label of ours) and its
        // Services: an edit wakes the reconcile at once, so a config change is checked and a hand edit put back
        // without waiting for the resync
        InformerEventSource<ConfigMap, ClusterPolicy> configMaps = new InformerEventSource<>(
            InformerEventSourceConfiguration.from(ConfigMap.class, ClusterPolicy.class).withName("configmaps")
                .withNamespaces(settings.namespace())
                .withSecondaryToPrimaryMapper(c -> ctx.getPrimaryCache().list().map(ResourceID::fromResource)
                    .collect(Collectors.toSet()))
                .build(), ctx);
        var upgrades = new DriverUpgradeController(ctx.getClient(), settings.namespace(), () -> nodes.list().toList(),
            Clock.systemUTC(), Duration.ofSeconds(5), Duration.ofSeconds(30));
        // every other kind of operand object, ours by label: a hand edit or a delete is put back at once, not at the
        // next resync (5 minutes when ready); the RBAC objects and the RuntimeClass are cluster-scoped
        List<InformerEventSource<? extends HasMetadata, ClusterPolicy>> operands = List.of(daemonSets, configMaps,
            owned(Service.class, true, ctx), owned(ServiceAccount.class, true, ctx), owned(Role.class, true, ctx),
            owned(RoleBinding.class, true, ctx), owned(ClusterRole.class, false, ctx),
            owned(ClusterRoleBinding.class, false, ctx), owned(RuntimeClass.class, false, ctx));
        controller = new PolicyController(ctx.getClient(), settings, () -> nodes.list().toList(), metrics,
            Clock.systemUTC()).withUpgrades(upgrades)
            .withCaches(() -> ctx.getPrimaryCache().list().toList(), cacheOf(operands));
        List<EventSource<?, ClusterPolicy>> sources = new ArrayList<>();
        sources.add(nodes);
        sources.addAll(operands);
        return sources;
    }

    /** The operand informers as the applier reads them: by kind, then by the operand's label. */
    private static OperandCache cacheOf(List<InformerEventSource<? extends HasMetadata, ClusterPolicy>> sources) {
        Map<Class<?>, InformerEventSource<? extends HasMetadata, ClusterPolicy>> byKind = new HashMap<>();
        sources.forEach(s -> byKind.put(s.resourceType(), s));
        return (kind, key, value) -> Optional.ofNullable(byKind.get(kind)).map(s -> s.list(r -> value.equals(
            labels(r).get(key))).<HasMetadata>map(r -> r).toList());
    }

    /** An informer on the operand objects of one kind that carry gpuop's label, each mapped to its policy. */
    private <R extends HasMetadata> InformerEventSource<R, ClusterPolicy> owned(Class<R> kind, boolean namespaced,
                                                                               EventSourceContext<ClusterPolicy> ctx) {
        var config = InformerEventSourceConfiguration.from(kind, ClusterPolicy.class)
            .withName(HasMetadata.getPlural(kind))
            .withLabelSelector(Stamp.LABELS.getFirst().getKey() + "=" + Stamp.LABELS.getFirst().getValue())
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(ClusterPolicy.class, true));
        if (namespaced) {
            config.withNamespaces(settings.namespace());
        }
        return new InformerEventSource<>(config.build(), ctx);
    }

    /** A node update matters when a label changed or the node agent's report did; heartbeats do not. */
    static boolean matters(Node now, Node before) {
        // the driver upgrade's state is the upgrade controller's business, on its own thread: not a reason to plan
        if (!Objects.equals(withoutUpgradeState(labels(now)), withoutUpgradeState(labels(before)))) {
            return ClusterInfoObserver.isGpuNode(labels(now)) || ClusterInfoObserver.isGpuNode(labels(before))
                || !Objects.equals(ours(labels(now)), ours(labels(before)));
        }
        return !Objects.equals(report(now), report(before));
    }

    private static Map<String, String> labels(HasMetadata o) {
        return o.getMetadata().getLabels() == null ? Map.of() : o.getMetadata().getLabels();
    }

    private static Map<String, String> ours(Map<String, String> labels) {
        return labels.entrySet().stream().filter(e -> e.getKey().startsWith("nvidia.com/")
            || e.getKey().startsWith("gpuop.dev/")).collect(Collectors.toMap(Map.Entry::getKey,
            Map.Entry::getValue));
    }

    private static Map<String, String> withoutUpgradeState(Map<String, String> labels) {
        Map<String, String> rest = new java.util.HashMap<>(labels);
        rest.remove(UpgradeState.LABEL);
        return rest;
    }

    private static Map<String, String> report(Node n) {
        Map<String, String> a = n.getMetadata().getAnnotations() == null ? Map.of() : n.getMetadata()
            .getAnnotations();
        return a.entrySet().stream().filter(e -> REPORT_KEYS.contains(e.getKey())).collect(Collectors.toMap(
            Map.Entry::getKey, Map.Entry::getValue));
    }

    @Override
    public UpdateControl<ClusterPolicy> reconcile(ClusterPolicy policy, Context<ClusterPolicy> context) {
        PolicyController.Outcome outcome = controller.reconcile(policy);
        return UpdateControl.<ClusterPolicy>noUpdate().rescheduleAfter(outcome.requeue());
    }

    @Override
    public ErrorStatusUpdateControl<ClusterPolicy> updateErrorStatus(ClusterPolicy policy,
                                                                    Context<ClusterPolicy> context, Exception e) {
        metrics.errors.inc();
        System.getLogger(ClusterPolicyReconciler.class.getName()).log(System.Logger.Level.WARNING,
            "reconcile of ClusterPolicy " + policy.getMetadata().getName() + " failed (retrying): " + e);
        return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
}
