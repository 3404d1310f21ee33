package dev.gpuop.operator.controller;

import dev.gpuop.api.v1alpha1.ClusterPolicy;
import dev.gpuop.operator.operand.NodeAgentOperand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;

/**
 * Gives every node its containerd config back before the chart goes: deleting the operator's objects alone would
 * leave gpuop's {@code nvidia} handler and CDI spec on each node with nothing to remove them. It turns the toolkit
 * off in each ClusterPolicy that has it on; the operator then runs the node agents' init step as
 * {@code toolkit uninstall}, which restores exactly what install changed; this waits until every node agent
 * DaemonSet has rolled that out. Run by the chart's pre-delete hook, while the operator still runs.
 */
public final class NodeRestorer {

    static final String TOOLKIT_OFF = "{\"spec\":{\"toolkit\":{\"enabled\":false}}}";

    private final KubernetesClient k8s;
    private final String namespace;
    private final PrintWriter out;

    public NodeRestorer(KubernetesClient k8s, String namespace, PrintWriter out) {
        this.k8s = k8s;
        this.namespace = namespace;
        this.out = out;
    }

    /** Turns the toolkit off and waits; false when the node agents did not all roll out in time. */
    public boolean restore(Duration timeout) throws InterruptedException {
        int changed = 0;
        for (ClusterPolicy p : k8s.resources(ClusterPolicy.class).list().getItems()) {
            if (p.getSpec() != null && p.getSpec().toolkit().enabledOr(true)) {
                // a merge patch without resourceVersion: the operator writes the status all the while
                k8s.resources(ClusterPolicy.class).withName(p.getMetadata().getName()).patch(
                    PatchContext.of(PatchType.JSON_MERGE), TOOLKIT_OFF);
                out.println("toolkit.enabled=false in ClusterPolicy " + p.getMetadata().getName());
                changed++;
            }
        }
        if (changed == 0) {
            out.println("no ClusterPolicy has the toolkit on: the nodes' containerd configs are gpuop-free already");
            out.flush();
            return true;
        }
        out.flush();
        long start = System.nanoTime();
        long end = start + timeout.toNanos();
        long nextReport = 0;
        while (true) {
            List<String> pending = pending();
            if (pending.isEmpty()) {
                out.printf("every node agent ran toolkit uninstall (%.1f s)%n", (System.nanoTime() - start) / 1e9);
                out.flush();
                return true;
            }
            long now = System.nanoTime();
            if (now > end) {
                out.println("WARNING: after " + timeout.toSeconds() + " s still waiting for " + pending + "; nodes "
                    + "it has not reached keep gpuop's handler: run `gpuop toolkit uninstall` there");
                out.flush();
                return false;
            }
            if (now >= nextReport) {
                out.printf("waiting for %s (%.0f s)%n", pending, (now - start) / 1e9);
                out.flush();
                nextReport = now + Duration.ofSeconds(10).toNanos();
            }
            Thread.sleep(1000);
        }
    }

    /** Node agent DaemonSets not yet rolled out with the uninstall step, each with what it waits for. */
    List<String> pending() {
        return k8s.apps().daemonSets().inNamespace(namespace).list().getItems().stream()
            .filter(d -> d.getMetadata().getName().startsWith(NodeAgentOperand.NAME))
            .map(NodeRestorer::waitingFor).filter(w -> w != null).toList();
    }

    /** What a DaemonSet still waits for, or null when it has rolled the uninstall step out on all its nodes. */
    static String waitingFor(DaemonSet d) {
        String name = d.getMetadata().getName();
        List<Container> init = d.getSpec().getTemplate().getSpec().getInitContainers();
        boolean uninstalls = init != null && init.stream().anyMatch(c -> c.getArgs() != null
            && c.getArgs().size() > 1 && "uninstall".equals(c.getArgs().get(1)));
        if (!uninstalls) {
            return name + ": the operator has not switched its step to uninstall yet";
        }
        DaemonSetStatus s = d.getStatus();
        Long generation = d.getMetadata().getGeneration();
        if (s == null || s.getObservedGeneration() == null || generation == null
            || s.getObservedGeneration() < generation) {
            return name + ": not observed yet";
        }
        int desired = n(s.getDesiredNumberScheduled());
        if (n(s.getUpdatedNumberScheduled()) < desired || n(s.getNumberReady()) < desired) {
            return name + ": " + n(s.getUpdatedNumberScheduled()) + " of " + desired + " nodes updated, "
                + n(s.getNumberReady()) + " ready";
        }
        return null;
    }

    private static int n(Integer i) {
        return i == null ? 0 : i;
    }
}
