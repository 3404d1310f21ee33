package dev.gpuop.node.agent;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Writes the {@link NodeReport} onto this node's Node object every interval, and only when something changed. A
 * cluster that cannot be reached (a standalone agent) is logged once and retried quietly.
 */
final class NodeReporter implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(NodeReporter.class.getName());
    private static final long PERIOD_MILLIS = 10_000;

    private final KubernetesClient client;
    private final String node;
    private final Supplier<NodeReport> report;
    private volatile boolean warned;
    private volatile int writes;
    private Thread thread;

    NodeReporter(String node, Supplier<NodeReport> report) {
        this.client = new KubernetesClientBuilder().build();
        this.node = node;
        this.report = report;
    }

    /** True when the environment names a cluster: in a pod, or with KUBECONFIG set. */
    static boolean clusterConfigured(Map<String, String> env) {
        return env.containsKey("KUBERNETES_SERVICE_HOST") || env.containsKey("KUBECONFIG");
    }

    void start() {
        thread = Thread.ofPlatform().daemon().name("gpuop-node-report").start(() -> {
            try {
                while (true) {
                    reportNow();
                    Thread.sleep(PERIOD_MILLIS);
                }
            } catch (InterruptedException e) {
                // stopping
            }
        });
    }

    /** Patches the node if the report differs from what it carries; returns whether it wrote. */
    synchronized boolean reportNow() {
        NodeReport r = report.get();
        try {
            Node current = client.nodes().withName(node).get();
            if (current == null) {
                warnOnce("node " + node + " does not exist in the cluster; is --node-name right?");
                return false;
            }
            Map<String, String> labels = current.getMetadata().getLabels();
            Map<String, String> annotations = current.getMetadata().getAnnotations();
            if (!r.changes(labels, annotations)) {
                return false;
            }
            Map<String, String> changes = r.annotationChanges(annotations);
            Optional<String> present = r.gpuPresentLabel(labels);
            client.nodes().withName(node).edit(n -> {
                Map<String, String> a = n.getMetadata().getAnnotations() == null ? new HashMap<>()
                    : n.getMetadata().getAnnotations();
                a.putAll(changes);
                n.getMetadata().setAnnotations(a);
                present.ifPresent(v -> {
                    Map<String, String> l = n.getMetadata().getLabels() == null ? new HashMap<>()
                        : n.getMetadata().getLabels();
                    l.put(NodeReport.GPU_PRESENT, v);
                    n.getMetadata().setLabels(l);
                });
                return n;
            });
            writes++;
            return true;
        } catch (KubernetesClientException e) {
            warnOnce("cannot report to the API server: " + e.getMessage());
            return false;
        }
    }

    /** How many patches were written (the operator-facing cost of an agent). */
    int writes() {
        return writes;
    }

    private void warnOnce(String message) {
        if (!warned) {
            warned = true;
            LOG.log(System.Logger.Level.WARNING, message);
        }
    }

    @Override
    public void close() {
        if (thread != null) {
            thread.interrupt();
        }
        client.close();
    }
}
