package dev.gpuop.node.agent;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** One whole reply on the JDK's HTTP server, for the agent's endpoints (health, checks, GPU metrics). */
public final class HttpReplies {

    private HttpReplies() {
    }

    /** Sends {@code body} with its length, so the connection can be kept for the next request. */
    public static void send(HttpExchange ex, int code, String body, String type) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
