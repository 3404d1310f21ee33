package dev.gpuop.node.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The two API calls the node agent makes (read its Node, merge-patch its metadata), with the pod's service account
 * over the JDK's HTTP client. A general Kubernetes client (fabric8) took 60 MiB more resident memory in a process
 * whose budget is 100 MiB (docs/benchmarks.md), for two requests every few seconds; ADR 0007.
 */
final class ApiServerClient {

    /** Where Kubernetes mounts a pod's service account. */
    static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final Path tokenFile;
    private final HttpClient http;

    private ApiServerClient(URI base, Path tokenFile, SSLContext tls) {
        this.base = base;
        this.tokenFile = tokenFile;
        this.http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /**
     * The in-cluster client: {@code KUBERNETES_SERVICE_HOST}/{@code _PORT} and the service account's token and CA
     * ({@code GPUOP_SERVICEACCOUNT_DIR} moves the latter, for tests). Empty outside a cluster.
     */
    static Optional<ApiServerClient> inCluster(Map<String, String> env) throws IOException, GeneralSecurityException {
        String host = env.get("KUBERNETES_SERVICE_HOST");
        if (host == null) {
            return Optional.empty();
        }
        String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "443");
        Path sa = Path.of(env.getOrDefault("GPUOP_SERVICEACCOUNT_DIR", SERVICE_ACCOUNT.toString()));
        String hostPart = host.contains(":") ? "[" + host + "]" : host;
        return Optional.of(new ApiServerClient(URI.create("https://" + hostPart + ":" + port), sa.resolve("token"),
            trusting(sa.resolve("ca.crt"))));
    }

    private static SSLContext trusting(Path caFile) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** The Node object, or empty when it does not exist. */
    Optional<JsonNode> getNode(String name) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request("/api/v1/nodes/" + name).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        check(r, "GET node " + name);
        return Optional.of(JSON.readTree(r.body()));
    }

    /** A JSON merge patch of the Node's metadata (labels, annotations). */
    void patchNodeMetadata(String name, Map<String, Object> metadata) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(Map.of("metadata", metadata));
        HttpResponse<String> r = http.send(request("/api/v1/nodes/" + name)
            .header("Content-Type", "application/merge-patch+json")
            .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        check(r, "PATCH node " + name);
    }

    private HttpRequest.Builder request(String path) throws IOException {
        // the token is re-read every time: the kubelet rotates projected service-account tokens
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + Files.readString(tokenFile).strip())
            .header("Accept", "application/json");
    }

    private static void check(HttpResponse<String> r, String what) throws IOException {
        if (r.statusCode() / 100 != 2) {
            throw new IOException(what + ": HTTP " + r.statusCode() + " " + r.body().strip());
        }
    }
}
