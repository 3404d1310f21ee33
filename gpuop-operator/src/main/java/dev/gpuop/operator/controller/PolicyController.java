package dev.gpuop.operator.controller;

import dev.gpuop.api.v1alpha1.ClusterPolicy;
import dev.gpuop.api.v1alpha1.ClusterPolicyStatus;
import dev.gpuop.api.v1alpha1.ConfigRef;
import dev.gpuop.api.v1alpha1.OperandStatus;
import dev.gpuop.api.v1alpha1.PolicyState;
import dev.gpuop.operator.model.ClusterInfo;
import dev.gpuop.operator.model.ClusterInfoObserver;
import dev.gpuop.operator.model.StatusBuilder;
import dev.gpuop.operator.operand.OperatorSettings;
import dev.gpuop.operator.plan.DesiredState;
import dev.gpuop.operator.plan.OperandPlan;
import dev.gpuop.operator.plan.Planner;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One reconcile of a ClusterPolicy: only the oldest policy acts; observe the nodes, plan (which validates), apply
 * every operand in order and read its readiness, write changed node labels, then write the status if it changed
 * and record an event if the state did. Plain code over a client, so mock tests call it directly and the JOSDK
 * reconciler is a thin adapter.
 */
public final class PolicyController {

    private static final System.Logger LOG = System.getLogger(PolicyController.class.getName());

    private final KubernetesClient client;
    private final OperatorSettings settings;
    private final Supplier<Collection<Node>> nodes;
    private final OperatorMetrics metrics;
    private final Clock clock;
    private OperandApplier applier;
    private final OperandReadiness readiness;
    private final NodeLabelWriter labels;
    private final EventRecorder events;
    private DriverUpgradeController upgrades;
    private Supplier<List<ClusterPolicy>> policies;

    /**
     * @param nodes the cluster's nodes (the informer's cache in the operator)
     */
    public PolicyController(KubernetesClient client, OperatorSettings settings, Supplier<Collection<Node>> nodes,
                            OperatorMetrics metrics, Clock clock) {
        this.client = client;
        this.settings = settings;
        this.nodes = nodes;
        this.metrics = metrics;
        this.clock = clock;
        this.applier = new OperandApplier(client, settings.namespace(), OperandCache.NONE);
        this.readiness = new OperandReadiness(client, settings.namespace());
        this.labels = new NodeLabelWriter(client);
        this.events = new EventRecorder(client);
    }

    /**
     * Reads the policies and the operand objects from the operator's informer caches instead of the API server.
     */
    public PolicyController withCaches(Supplier<List<ClusterPolicy>> policies, OperandCache operands) {
        this.policies = policies;
        this.applier = new OperandApplier(client, settings.namespace(), operands);
        return this;
    }

    /** Hands the driver section of each reconciled policy to the driver upgrade controller. */
    public PolicyController withUpgrades(DriverUpgradeController upgrades) {
        this.upgrades = upgrades;
        return this;
    }

    /**
     * What one reconcile did.
     *
     * @param status the status it computed
     * @param reads API reads
     * @param writes API writes (zero on an unchanged cluster)
     * @param requeue when to look again even without an event
     */
    public record Outcome(ClusterPolicyStatus status, int reads, int writes, Duration requeue) {
    }

    /** Reconciles one policy. */
    public Outcome reconcile(ClusterPolicy policy) {
        long start = System.nanoTime();
        ApiCalls calls = new ApiCalls();
        List<ClusterPolicy> all;
        if (policies != null) {
            all = policies.get();
        } else {
            calls.read();
            all = client.resources(ClusterPolicy.class).list().getItems();
        }
        ClusterPolicy oldest = all.stream().min(Comparator.comparing((ClusterPolicy p) -> p.getMetadata()
            .getCreationTimestamp()).thenComparing(p -> p.getMetadata().getName())).orElse(policy);
        long generation = policy.getMetadata().getGeneration() == null ? 0 : policy.getMetadata().getGeneration();
        if (!oldest.getMetadata().getName().equals(policy.getMetadata().getName())) {
            ClusterPolicyStatus status = StatusBuilder.ignored(generation, oldest.getMetadata().getName(),
                policy.getStatus(), now());
            finish(policy, status, calls, "ignored", start, new Phases(start));
            return new Outcome(status, calls.reads(), calls.writes(), Duration.ofMinutes(1));
        }
        Phases phases = new Phases(start);
        ClusterInfo cluster = ClusterInfoObserver.observe(nodes.get());
        phases.mark("observe");
        DesiredState plan = Planner.planOperands(policy, cluster, settings, devicePluginConfig(policy, calls));
        phases.mark("plan");
        List<OperandStatus> operands = new ArrayList<>();
        for (OperandPlan op : plan.operands()) {
            operands.add(readiness.of(op, applier.apply(op, calls,
                drift -> events.record(policy, true, "DriftCorrected", drift, calls)), calls));
            phases.mark(op.id().id());
        }
        // planned after the operands' writes: a changed DaemonSet does not wait for every node's labels
        labels.write(plan.valid() ? Planner.nodeLabels(policy, cluster) : Map.of(), calls);
        phases.mark("labels");
        if (upgrades != null) {
            upgrades.configure(policy.spec().driver(), plan.valid() && policy.spec().driver().enabledOr(true));
        }
        ClusterPolicyStatus status = StatusBuilder.build(generation, settings.namespace(), cluster, operands,
            plan.problems(), policy.getStatus(), now());
        String result = !plan.valid() ? "invalid" : status.state() == PolicyState.READY ? "ready" : "notReady";
        finish(policy, status, calls, result, start, phases);
        metrics.gpuNodes.set(cluster.gpuNodes().size());
        metrics.readyNodes.set(status.readyNodes());
        Duration requeue = status.state() == PolicyState.READY ? Duration.ofMinutes(5)
            : plan.valid() ? Duration.ofSeconds(15) : Duration.ofMinutes(1);
        return new Outcome(status, calls.reads(), calls.writes(), requeue);
    }

    private void finish(ClusterPolicy policy, ClusterPolicyStatus status, ApiCalls calls, String result,
                        long start, Phases phases) {
        ClusterPolicyStatus previous = policy.getStatus();
        if (!status.equals(previous)) {
            calls.write();
            client.resources(ClusterPolicy.class).withName(policy.getMetadata().getName()).editStatus(p -> {
                p.setStatus(status);
                return p;
            });
            Condition was = ready(previous);
            Condition is = ready(status);
            if (was == null || !Objects.equals(was.getReason(), is.getReason())
                || !Objects.equals(previous.state(), status.state())) {
                boolean warning = status.state() != PolicyState.READY && !"OperandNotReady".equals(is.getReason());
                events.record(policy, warning, is.getReason(), is.getMessage(), calls);
            }
        }
        metrics.reconciles.labelValues(result).inc();
        metrics.apiWrites.inc(calls.writes());
        double seconds = (System.nanoTime() - start) / 1e9;
        metrics.duration.observe(seconds);
        LOG.log(System.Logger.Level.INFO, "reconciled ClusterPolicy {0}: {1}, {2} API reads, {3} writes, {4} ms{5}",
            policy.getMetadata().getName(), result, calls.reads(), calls.writes(), Math.round(seconds * 1000),
            phases);
    }

    /**
     * Milliseconds by phase of one reconcile, for its log line: at thousands of nodes, where a policy change's time
     * goes (observing and planning the nodes, or the API's writes) is the first question.
     */
    private static final class Phases {
        private final StringBuilder text = new StringBuilder();
        private long last;

        Phases(long start) {
            last = start;
        }

        void mark(String phase) {
            long now = System.nanoTime();
            text.append(text.isEmpty() ? " (" : ", ").append(phase).append(' ').append((now - last) / 1_000_000);
            last = now;
        }

        @Override
        public String toString() {
            return text.isEmpty() ? "" : text + ")";
        }
    }

    private Map<String, String> devicePluginConfig(ClusterPolicy policy, ApiCalls calls) {
        ConfigRef ref = policy.spec().devicePlugin().getConfig();
        if (ref == null || ref.name() == null || ref.name().isBlank()) {
            return null;
        }
        calls.read();
        ConfigMap cm = client.configMaps().inNamespace(settings.namespace()).withName(ref.name()).get();
        return cm == null || cm.getData() == null ? Map.of() : cm.getData();
    }

    private static Condition ready(ClusterPolicyStatus s) {
        return s == null || s.conditions() == null ? null : s.conditions().stream()
            .filter(c -> "Ready".equals(c.getType())).findFirst().orElse(null);
    }

    private java.time.Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }
}
