package dev.gpuop.node.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Writes the {@link NodeReport} onto this node's Node object every interval, and only when something changed. A
 * cluster that cannot be reached is logged once and retried quietly.
 */
final class NodeReporter implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(NodeReporter.class.getName());
    private static final long PERIOD_MILLIS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ApiServerClient api;
    private final String node;
    private final Supplier<NodeReport> report;
    private volatile boolean warned;
    private volatile int writes;
    private Thread thread;

    NodeReporter(ApiServerClient api, String node, Supplier<NodeReport> report) {
        this.api = api;
        this.node = node;
        this.report = report;
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
    synchronized boolean reportNow() throws InterruptedException {
        NodeReport r = report.get();
        try {
            Optional<JsonNode> current = api.getNode(node);
            if (current.isEmpty()) {
                warnOnce("node " + node + " does not exist in the cluster; is --node-name right?");
                return false;
            }
            Map<String, String> labels = strings(current.get().path("metadata").path("labels"));
            Map<String, String> annotations = strings(current.get().path("metadata").path("annotations"));
            if (!r.changes(labels, annotations)) {
                return false;
            }
            Map<String, Object> metadata = new HashMap<>();
            metadata.put("annotations", r.annotationChanges(annotations));
            Map<String, String> labelChanges = r.labelChanges(labels);
            if (!labelChanges.isEmpty()) {
                metadata.put("labels", labelChanges);
            }
            api.patchNodeMetadata(node, metadata);
            writes++;
            return true;
        } catch (java.io.IOException e) {
            warnOnce("cannot report to the API server: " + e.getMessage());
            return false;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> strings(JsonNode n) {
        return n.isObject() ? JSON.convertValue(n, Map.class) : Map.of();
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
    }
}
