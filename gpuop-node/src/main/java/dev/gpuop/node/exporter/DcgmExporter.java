package dev.gpuop.node.exporter;

import com.sun.net.httpserver.HttpServer;
import dev.gpuop.gpu.GpuEvent;
import dev.gpuop.gpu.GpuEventType;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.node.agent.HttpReplies;
import dev.gpuop.node.deviceplugin.health.GpuEventWatcher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The GPU metrics part of the node agent, in place of NVIDIA's dcgm-exporter: {@code /metrics} and {@code /health}
 * on dcgm-exporter's port (9400), the default counters under their names and types, pod attribution from the
 * kubelet, the last XID from the driver's events. Runs with or without the device plugin: it has its own event
 * watch, sampler and kubelet client.
 */
public final class DcgmExporter implements AutoCloseable {

    static {
        // the JDK's HTTP server leaves Nagle on: a response's headers and body then wait out the client's delayed ACK,
        // 40 ms a scrape (measured by bench/exporter-scrape.sh); it reads this property once, at its first use
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** dcgm-exporter's port, which NVIDIA's Service and users' scrape configs name. */
    public static final int DEFAULT_PORT = 9400;
    /** How often the slow readings are taken (dcgm-exporter's own collect interval is 30 s). */
    static final Duration SLOW_INTERVAL = Duration.ofSeconds(10);
    /** How often the kubelet is asked which pod holds which GPU. */
    static final Duration POD_INTERVAL = Duration.ofSeconds(5);

    private final GpuSampler sampler;
    private final PodAttribution pods;
    private final GpuEventWatcher xids;
    private final Map<String, Long> lastXid = new ConcurrentHashMap<>();
    private final DcgmExposition exposition;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(
        Thread.ofPlatform().daemon().name("gpuop-metrics-http").factory());
    private HttpServer server;

    /**
     * @param podResourcesSocket the kubelet's pod-resources socket
     * @param hostname the {@code Hostname} label (the node's name)
     */
    public DcgmExporter(GpuHost host, String hostname, Path podResourcesSocket) {
        this.sampler = new GpuSampler(host);
        this.pods = new PodAttribution(podResourcesSocket, () -> host.gpus().stream().map(g -> g.info()).toList());
        this.xids = new GpuEventWatcher(host, EnumSet.of(GpuEventType.XID_CRITICAL_ERROR), this::onEvent,
            "gpuop-metrics-xid");
        this.exposition = new DcgmExposition(host, hostname, sampler::slow, pods::byGpu, lastXid::get);
    }

    /** Starts the sampler, the kubelet client, the event watch and the HTTP server on {@code port} (0: any). */
    public synchronized void start(int port) {
        sampler.start(SLOW_INTERVAL);
        pods.start(POD_INTERVAL);
        xids.start();
        try {
            server = HttpServer.create(new InetSocketAddress(port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("GPU metrics: cannot listen on port " + port + ": " + e.getMessage(), e);
        }
        // one platform thread: a scrape calls NVML, which blocks its thread, and scrapes come seconds apart
        server.setExecutor(executor);
        server.createContext("/metrics",
            ex -> HttpReplies.send(ex, 200, exposition.render(), DcgmExposition.CONTENT_TYPE));
        server.createContext("/health", ex -> HttpReplies.send(ex, 200, "ok\n", "text/plain"));
        server.start();
    }

    private void onEvent(GpuEvent e) {
        if (e.isXid()) {
            lastXid.put(e.gpuUuid(), e.data());
        }
    }

    /** The port bound. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The pod attribution, for its state. */
    public PodAttribution pods() {
        return pods;
    }

    /** Whether XIDs arrive as events. */
    public String xidEvents() {
        return xids.state();
    }

    /** Stops serving first, then the event watch (which frees its event set before returning), sampler and client. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
        }
        executor.shutdownNow();
        xids.close();
        sampler.close();
        pods.close();
    }
}
