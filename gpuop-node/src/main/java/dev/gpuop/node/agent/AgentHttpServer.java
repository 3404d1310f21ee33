package dev.gpuop.node.agent;

import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import dev.gpuop.node.validation.StageResult;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code /healthz} (the process serves), {@code /readyz} (every enabled part is up; otherwise 503 and why) and
 * {@code /metrics} (Prometheus text) on one port, with the JDK's HTTP server.
 */
final class AgentHttpServer implements AutoCloseable {

    static {
        // the JDK's HTTP server leaves Nagle on: a response's headers and body then wait out the client's delayed ACK,
        // 40 ms a scrape (measured by bench/exporter-scrape.sh); it reads this property once, at its first use
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;

    /**
     * @param notReady why the agent is not ready, or empty when it is
     */
    AgentHttpServer(int port, Supplier<Optional<String>> notReady, PrometheusRegistry registry) {
        try {
            server = HttpServer.create(new InetSocketAddress(port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on port " + port + ": " + e.getMessage(), e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/healthz", ex -> HttpReplies.send(ex, 200, "ok\n", "text/plain"));
        server.createContext("/readyz", ex -> {
            Optional<String> why = notReady.get();
            HttpReplies.send(ex, why.isEmpty() ? 200 : 503, why.map(w -> w + "\n").orElse("ok\n"), "text/plain");
        });
        // the Prometheus client's own handler: content negotiation (text, OpenMetrics), gzip, name[] filters
        server.createContext("/metrics", new MetricsHandler(registry));
        server.start();
    }

    /**
     * {@code POST /validate}: one round of the node checks now, the CUDA vector add included, answered with each
     * stage's result (200 when none failed, else 503).
     */
    void onValidate(ValidateNow now) {
        server.createContext("/validate", ex -> {
            if (!"POST".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().set("Allow", "POST");
                HttpReplies.send(ex, 405, "POST runs the node checks now\n", "text/plain");
                return;
            }
            try {
                List<StageResult> results = now.run();
                StringBuilder body = new StringBuilder();
                results.forEach(r -> body.append(r).append('\n'));
                HttpReplies.send(ex, results.stream().allMatch(StageResult::ready) ? 200 : 503, body.toString(),
                    "text/plain");
            } catch (IOException | RuntimeException e) {
                HttpReplies.send(ex, 500, "the checks did not run: " + e.getMessage() + "\n", "text/plain");
            }
        });
    }

    /** A round of the checks on demand. */
    @FunctionalInterface
    interface ValidateNow {
        List<StageResult> run() throws IOException;
    }

    /** The port bound (useful with port 0). */
    int port() {
        return server.getAddress().getPort();
    }


    @Override
    public void close() {
        server.stop(0);
    }
}
