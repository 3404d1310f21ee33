package dev.gpuop.operator.controller;

import dev.gpuop.api.v1alpha1.DriverSpec;
import dev.gpuop.operator.upgrade.NodeChange;
import dev.gpuop.operator.upgrade.NodeView;
import dev.gpuop.operator.upgrade.UpgradePlan;
import dev.gpuop.operator.upgrade.UpgradePolicy;
import dev.gpuop.operator.upgrade.UpgradeState;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * NVIDIA's driver upgrade controller: while the driver container is on and {@code driver.upgradePolicy.autoUpgrade}
 * holds, a pass every few seconds moves each node whose driver pod is older than its (OnDelete) DaemonSet through
 * {@link UpgradePlan}'s states, within the policy's limits. Its own thread, so a long upgrade never holds the
 * policy's reconcile; all its memory is in the nodes' labels and annotations. With the upgrade off it removes the
 * state labels once, as NVIDIA's does; with the driver off it makes no request at all.
 */
public final class DriverUpgradeController implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(DriverUpgradeController.class.getName());

    private final KubernetesClient client;
    private final Supplier<Collection<Node>> nodes;
    private final Clock clock;
    private final Duration busyPeriod;
    private final Duration idlePeriod;
    private final UpgradeReader reader;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "driver-upgrades");
        t.setDaemon(true);
        return t;
    });
    private volatile UpgradePolicy policy;
    private volatile boolean driverOn;
    private boolean scheduled;
    private boolean labelsCleared = true;

    /**
     * @param busyPeriod between passes while a node is on its way; {@code idlePeriod} otherwise
     */
    public DriverUpgradeController(KubernetesClient client, String namespace, Supplier<Collection<Node>> nodes,
                                   Clock clock, Duration busyPeriod, Duration idlePeriod) {
        this.client = client;
        this.nodes = nodes;
        this.clock = clock;
        this.busyPeriod = busyPeriod;
        this.idlePeriod = idlePeriod;
        this.reader = new UpgradeReader(client, namespace);
    }

    /** The policy's driver section as last reconciled; starts the passes the first time it matters. */
    public synchronized void configure(DriverSpec driver, boolean enabled) {
        policy = UpgradePolicy.of(driver.upgradePolicy());
        driverOn = enabled;
        if (enabled && !policy.autoUpgrade()) {
            labelsCleared = false;
        }
        if (!scheduled && (enabled || !labelsCleared)) {
            scheduled = true;
            thread.schedule(this::loop, 0, TimeUnit.MILLISECONDS);
        }
    }

    private void loop() {
        Duration next = idlePeriod;
        try {
            next = pass(new ApiCalls()) ? busyPeriod : idlePeriod;
        } catch (RuntimeException e) {
            // any failure, the API's or a bug's: the passes must go on, or upgrades would stop without a word
            LOG.log(System.Logger.Level.WARNING, "driver upgrade pass failed, retried in " + busyPeriod.toSeconds()
                + " s: " + e, e instanceof KubernetesClientException ? null : e);
            next = busyPeriod;
        }
        thread.schedule(this::loop, next.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * One pass.
     *
     * @return whether a node is still on its way (the next pass comes sooner)
     */
    boolean pass(ApiCalls calls) {
        UpgradePolicy p = policy;
        if (!driverOn || !p.autoUpgrade()) {
            if (!labelsCleared) {
                clearLabels(calls);
                labelsCleared = true;
            }
            return false;
        }
        var revision = reader.currentRevision(calls);
        if (revision.isEmpty()) {
            return false;
        }
        Instant now = clock.instant();
        List<NodeView> views = reader.nodes(nodes.get(), p, calls);
        List<NodeChange> changes = UpgradePlan.of(p, revision.get(), views, now);
        for (NodeChange c : changes) {
            apply(c, calls);
        }
        return !changes.isEmpty() || views.stream().anyMatch(v -> v.state() != UpgradeState.UPGRADE_DONE
            && v.state() != UpgradeState.UNKNOWN && v.state() != UpgradeState.UPGRADE_FAILED);
    }

    private void apply(NodeChange c, ApiCalls calls) {
        for (NodeView.PodView pod : c.delete()) {
            calls.write();
            String ns = pod.namespace().isEmpty() ? reader.namespace() : pod.namespace();
            client.pods().inNamespace(ns).withName(pod.name()).delete();
        }
        for (NodeView.PodView pod : c.evict()) {
            calls.write();
            // false: a disruption budget says not now; the next pass asks again
            client.pods().inNamespace(pod.namespace()).withName(pod.name()).evict();
        }
        if (c.patchesNode()) {
            Map<String, Object> metadata = new HashMap<>();
            if (c.from() != c.to()) {
                metadata.put("labels", Map.of(UpgradeState.LABEL, c.to().label()));
            }
            if (!c.annotations().isEmpty()) {
                metadata.put("annotations", c.annotations());
            }
            Map<String, Object> patch = new HashMap<>();
            patch.put("metadata", metadata);
            c.unschedulable().ifPresent(u -> patch.put("spec", Map.of("unschedulable", u)));
            calls.write();
            client.nodes().withName(c.node()).patch(PatchContext.of(PatchType.JSON_MERGE),
                Serialization.asJson(patch));
        }
        c.message().ifPresent(m -> {
            boolean failed = c.to() == UpgradeState.UPGRADE_FAILED;
            LOG.log(failed ? System.Logger.Level.WARNING : System.Logger.Level.INFO, "node {0}: {1} -> {2}: {3}",
                c.node(), c.from().label(), c.to().label(), m);
            if (c.from() != c.to()) {
                event(c.node(), failed, c.to().label() + ": " + m, calls);
            }
        });
    }

    private void clearLabels(ApiCalls calls) {
        for (Node n : nodes.get()) {
            Map<String, String> labels = n.getMetadata().getLabels();
            if (labels != null && labels.containsKey(UpgradeState.LABEL)) {
                Map<String, Object> metadata = new HashMap<>();
                Map<String, String> gone = new HashMap<>();
                gone.put(UpgradeState.LABEL, null);
                metadata.put("labels", gone);
                calls.write();
                client.nodes().withName(n.getMetadata().getName()).patch(PatchContext.of(PatchType.JSON_MERGE),
                    Serialization.asJson(Map.of("metadata", metadata)));
            }
        }
    }

    private void event(String node, boolean warning, String message, ApiCalls calls) {
        String now = clock.instant().toString();
        try {
            calls.write();
            client.v1().events().inNamespace("default").resource(new EventBuilder().withNewMetadata()
                .withGenerateName(node + ".").withNamespace("default").endMetadata()
                .withNewInvolvedObject().withApiVersion("v1").withKind("Node").withName(node)
                .endInvolvedObject().withType(warning ? "Warning" : "Normal")
                .withReason(warning ? "DriverUpgradeFailed" : "DriverUpgrade").withMessage(message)
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .withNewSource().withComponent("gpuop-operator").endSource().build()).create();
        } catch (KubernetesClientException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot record the event of node " + node + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
