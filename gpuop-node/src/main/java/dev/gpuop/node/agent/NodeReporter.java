package dev.gpuop.node.agent;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Writes the {@link NodeReport} onto this node's Node object every interval, and only when something changed. A
 * cluster that cannot be reached is logged once and retried quietly. The Node is read only when the report differs
 * from the one last confirmed on it, or once every {@link #RESYNC} (a label someone removed comes back then): on a
 * steady node that is one small read every five minutes instead of one every ten seconds, which the API server of a
 * large cluster and the agent's memory both notice.
 */
final class NodeReporter implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(NodeReporter.class.getName());
    private static final long PERIOD_MILLIS = 10_000;
    /** How long a confirmed report is trusted without reading the Node again. */
    static final Duration RESYNC = Duration.ofMinutes(5);

    private final ApiServerClient api;
    private final String node;
    private final Supplier<NodeReport> report;
    private final Clock clock;
    private volatile boolean warned;
    private volatile int writes;
    private NodeReport confirmed;
    private Instant confirmedAt;
    private Thread thread;

    NodeReporter(ApiServerClient api, String node, Supplier<NodeReport> report) {
        this.api = api;
        this.node = node;
        this.report = report;
        this.clock = Clock.systemUTC();
    }

    void start() {
        thread = Thread.ofPlatform().daemon().name("gpuop-node-report").start(() -> {
            try {
                while (true) {
                    NodeReport r = report.get();
                    if (mustRead(r, confirmed, confirmedAt, clock.instant())) {
                        reportNow(r);
                    }
                    Thread.sleep(PERIOD_MILLIS);
                }
            } catch (InterruptedException e) {
                // stopping
            }
        });
    }

    /**
     * Whether a tick reads the Node: when nothing was confirmed yet, the report changed since, or the confirmation is
     * {@link #RESYNC} old.
     */
    static boolean mustRead(NodeReport now, NodeReport confirmed, Instant confirmedAt, Instant at) {
        return confirmed == null || confirmedAt == null || !confirmed.equals(now)
            || !at.isBefore(confirmedAt.plus(RESYNC));
    }

    /** Patches the node if the report differs from what it carries; returns whether it wrote. */
    synchronized boolean reportNow(NodeReport r) throws InterruptedException {
        try {
            Optional<ApiServerClient.NodeMetadata> current = api.getNodeMetadata(node);
            if (current.isEmpty()) {
                warnOnce("node " + node + " does not exist in the cluster; is --node-name right?");
                return false;
            }
            Map<String, String> labels = current.get().labels();
            Map<String, String> annotations = current.get().annotations();
            if (!r.changes(labels, annotations)) {
                confirm(r);
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
            confirm(r);
            return true;
        } catch (java.io.IOException e) {
            warnOnce("cannot report to the API server: " + e.getMessage());
            return false;
        }
    }

    private void confirm(NodeReport r) {
        confirmed = r;
        confirmedAt = clock.instant();
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
