package dev.gpuop.node.agent;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * This node's labels as they change: read once, then watched (one connection, metadata only, resumed from the last
 * version after each server timeout, read again when that version is too old). What a node's labels say per node
 * (NVIDIA's {@code nvidia.com/device-plugin.config}) reaches the agent within a second, without polling the API
 * server. Listeners hear of changes on a thread of their own, in order.
 */
final class NodeLabelWatch implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(NodeLabelWatch.class.getName());
    /** The API server's watch timeout asked for; the watch resumes after it. */
    static final int WATCH_SECONDS = 300;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final ApiServerClient api;
    private final String node;
    private final Consumer<Map<String, String>> listener;
    private volatile Map<String, String> labels;
    private volatile boolean running;
    private String warned;
    private Thread thread;
    private final java.util.concurrent.ExecutorService notifier = java.util.concurrent.Executors
        .newSingleThreadExecutor(Thread.ofPlatform().daemon().name("gpuop-node-labels").factory());

    NodeLabelWatch(ApiServerClient api, String node, Consumer<Map<String, String>> listener) {
        this.api = api;
        this.node = node;
        this.listener = listener;
    }

    /** The labels as last seen, or null before the first read. */
    Map<String, String> labels() {
        return labels;
    }

    /** Reads the labels once now (so the agent starts on the node's own config), then watches on a thread. */
    void start() {
        try {
            api.getNodeMetadata(node).ifPresent(m -> labels = Map.copyOf(m.labels()));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "node labels not read yet: {0}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        running = true;
        thread = Thread.ofPlatform().daemon().name("gpuop-node-watch").start(this::run);
    }

    private void run() {
        String version = null;
        Duration backoff = Duration.ofSeconds(1);
        while (running) {
            try {
                if (version == null) {
                    Optional<ApiServerClient.NodeMetadata> now = api.getNodeMetadata(node);
                    if (now.isEmpty()) {
                        throw new IOException("node " + node + " does not exist");
                    }
                    update(now.get().labels());
                    version = now.get().resourceVersion();
                }
                ApiServerClient.WatchEnd end = api.watchNodeMetadata(node, version, m -> update(m.labels()),
                    WATCH_SECONDS);
                version = end.gone() ? null : end.resourceVersion();
                backoff = Duration.ofSeconds(1);
                warned = null;
            } catch (IOException e) {
                if (!e.getMessage().equals(warned)) {
                    warned = e.getMessage();
                    LOG.log(System.Logger.Level.WARNING, "node labels not watched, trying again: {0}", e.getMessage());
                }
                version = null;
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Called on netty's event loop, which the device plugin's gRPC servers share: the listener, which may restart
     * those servers (a blocking wait there fails with netty's BlockingOperationException), runs on a thread of its
     * own.
     */
    private void update(Map<String, String> now) {
        Map<String, String> copy = Map.copyOf(now);
        if (!copy.equals(labels)) {
            labels = copy;
            notifier.execute(() -> listener.accept(copy));
        }
    }

    @Override
    public void close() {
        notifier.shutdownNow();
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
