package dev.gpuop.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The operator's start waits in its process while the API server is away, and goes on once it answers. */
class ApiServerWaitTest {

    @Test
    void waitsThroughFailuresAndReturnsOnTheFirstAnswer() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/version", ex -> {
            boolean away = calls.incrementAndGet() <= 3;
            byte[] body = (away ? "{\"kind\":\"Status\",\"code\":503}" : "{\"major\":\"1\",\"minor\":\"37\","
                + "\"gitVersion\":\"v1.37.0\"}").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(away ? 503 : 200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
            .withMasterUrl("http://127.0.0.1:" + server.getAddress().getPort()).withRequestRetryBackoffLimit(0)
            .build()).build()) {
            ApiServerWait.untilAnswering(client, Duration.ofMillis(10), Duration.ofSeconds(30));
            assertThat(calls.get()).as("three refusals, then the answer").isEqualTo(4);
            ApiServerWait.untilAnswering(client, Duration.ofMillis(10), Duration.ofSeconds(30));
            assertThat(calls.get()).as("an API server that answers costs one call").isEqualTo(5);
        } finally {
            server.stop(0);
        }
    }
}
