package dev.gpuop.operator.controller;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * The operator's endpoints, on NVIDIA's ports: {@code /metrics} on the metrics port, {@code /healthz} and
 * {@code /readyz} (the controller has started its informers) on the health port.
 */
public final class OperatorHttpServer implements AutoCloseable {

    static {
        // the JDK's HTTP server leaves Nagle on: each response then waits out the client's delayed ACK (40 ms)
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer metrics;
    private final HttpServer health;

    public OperatorHttpServer(int metricsPort, int healthPort, PrometheusRegistry registry, BooleanSupplier ready) {
        metrics = bind(metricsPort);
        health = bind(healthPort);
        // the Prometheus client's own handler: content negotiation (text, OpenMetrics), gzip, name[] filters
        metrics.createContext("/metrics", new MetricsHandler(registry));
        health.createContext("/healthz", ex -> send(ex, 200, "ok\n", "text/plain"));
        health.createContext("/readyz", ex -> {
            boolean ok = ready.getAsBoolean();
            send(ex, ok ? 200 : 503, ok ? "ok\n" : "starting\n", "text/plain");
        });
        metrics.start();
        health.start();
    }

    private static HttpServer bind(int port) {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress(port), 0);
            s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on port " + port + ": " + e.getMessage(), e);
        }
    }

    /** The metrics port bound (useful with port 0). */
    public int metricsPort() {
        return metrics.getAddress().getPort();
    }

    /** The health port bound. */
    public int healthPort() {
        return health.getAddress().getPort();
    }

    private static void send(HttpExchange ex, int code, String body, String type) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        metrics.stop(0);
        health.stop(0);
    }
}
