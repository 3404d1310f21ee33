package dev.gpuop.node.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpuop.kubelet.UnixGrpc;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * The API calls the node agent makes (read its Node's metadata, merge-patch it; create, read and delete its
 * workload check pod), with the pod's service account,
 * as HTTP/1.1 over TLS on netty, whose event loop the agent already runs for gRPC. A general Kubernetes client
 * (fabric8) took 60 MiB more resident memory in a process whose budget is 100 MiB, and the JDK's HTTP client loads
 * about 400 classes and three threads of its own for a request every few minutes (docs/benchmarks.md; ADR 0007).
 */
final class ApiServerClient {

    /** Where Kubernetes mounts a pod's service account. */
    static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final long RESPONSE_TIMEOUT_SECONDS = 10;
    private static final int MAX_RESPONSE_BYTES = 4 << 20;

    private record Response(int status, String body) {
    }

    /** What the agent reads of its Node. */
    record NodeMetadata(Map<String, String> labels, Map<String, String> annotations, String resourceVersion) {
    }

    /** How a watch ended: at the server's timeout (go on from {@code resourceVersion}), or too old to resume. */
    record WatchEnd(String resourceVersion, boolean gone) {
    }

    private final String host;
    private final int port;
    private final Path tokenFile;
    private final SSLContext tls;

    private ApiServerClient(String host, int port, Path tokenFile, SSLContext tls) {
        this.host = host;
        this.port = port;
        this.tokenFile = tokenFile;
        this.tls = tls;
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
        int port = Integer.parseInt(env.getOrDefault("KUBERNETES_SERVICE_PORT", "443"));
        Path sa = Path.of(env.getOrDefault("GPUOP_SERVICEACCOUNT_DIR", SERVICE_ACCOUNT.toString()));
        return Optional.of(new ApiServerClient(host, port, sa.resolve("token"), trusting(sa.resolve("ca.crt"))));
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
        if (ks.size() == 0) {
            throw new GeneralSecurityException("no CA certificate in " + caFile);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /**
     * The Node's metadata (a {@code PartialObjectMetadata}: no status, no image list), or empty when the Node does not
     * exist. The agent reads only labels and annotations, and a GPU node's status can be tens of kilobytes.
     */
    Optional<NodeMetadata> getNodeMetadata(String name) throws IOException, InterruptedException {
        Response r = send(HttpMethod.GET, "/api/v1/nodes/" + name,
            "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json", null, null);
        if (r.status() == 404) {
            return Optional.empty();
        }
        check(r, "GET node " + name);
        return Optional.of(nodeMetadata(JSON.readTree(r.body()).path("metadata")));
    }

    private static NodeMetadata nodeMetadata(JsonNode metadata) {
        return new NodeMetadata(strings(metadata.path("labels")), strings(metadata.path("annotations")),
            metadata.path("resourceVersion").asText(null));
    }

    /**
     * Watches the Node's metadata from {@code resourceVersion} (one Node, by field selector; metadata only, as
     * {@link #getNodeMetadata}) and hands each version to {@code onChange}, on netty's event loop (it must not block),
     * until the API server ends the watch (its {@code timeoutSeconds}), which this returns with the last version
     * seen; {@code gone} when that version is too old to resume from (HTTP 410), so the caller reads the Node again.
     * One open connection per agent, which the API server serves from its watch cache.
     */
    WatchEnd watchNodeMetadata(String name, String resourceVersion, java.util.function.Consumer<NodeMetadata> onChange,
                               int timeoutSeconds) throws IOException, InterruptedException {
        String path = "/api/v1/nodes?watch=1&allowWatchBookmarks=true&timeoutSeconds=" + timeoutSeconds
            + "&fieldSelector=metadata.name%3D" + name + "&resourceVersion=" + resourceVersion;
        FullHttpRequest request = request(HttpMethod.GET, path,
            "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json", null, null);
        CompletableFuture<WatchEnd> end = new CompletableFuture<>();
        WatchLines lines = new WatchLines(resourceVersion, onChange, end);
        Channel channel = connect(request, new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(sslHandler(), new HttpClientCodec(), lines);
            }
        }, end);
        try {
            // the server ends the watch at timeoutSeconds; a silent connection is given up a little after that
            return end.get(timeoutSeconds + RESPONSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IOException("watch node " + name + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            return new WatchEnd(lines.resourceVersion, false);
        } finally {
            channel.close();
        }
    }

    /** A watch response's lines, one JSON event each, parsed as they come. */
    private static final class WatchLines extends SimpleChannelInboundHandler<io.netty.handler.codec.http.HttpObject> {

        private final java.util.function.Consumer<NodeMetadata> onChange;
        private final CompletableFuture<WatchEnd> end;
        private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();
        private volatile String resourceVersion;
        private int status;
        private boolean gone;

        WatchLines(String resourceVersion, java.util.function.Consumer<NodeMetadata> onChange,
                   CompletableFuture<WatchEnd> end) {
            this.resourceVersion = resourceVersion;
            this.onChange = onChange;
            this.end = end;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, io.netty.handler.codec.http.HttpObject msg)
            throws IOException {
            if (msg instanceof io.netty.handler.codec.http.HttpResponse r) {
                status = r.status().code();
            }
            if (msg instanceof io.netty.handler.codec.http.HttpContent c) {
                byte[] bytes = new byte[c.content().readableBytes()];
                c.content().readBytes(bytes);
                pending.write(bytes);
                if (status == 200) {
                    lines();
                }
                if (msg instanceof io.netty.handler.codec.http.LastHttpContent) {
                    if (status == 410) {
                        gone = true;
                    } else if (status != 200) {
                        end.completeExceptionally(new IOException("HTTP " + status + " "
                            + pending.toString(StandardCharsets.UTF_8).strip()));
                        return;
                    }
                    end.complete(new WatchEnd(resourceVersion, gone));
                }
            }
        }

        private void lines() throws IOException {
            byte[] all = pending.toByteArray();
            int start = 0;
            for (int i = 0; i < all.length; i++) {
                if (all[i] == '\n') {
                    event(JSON.readTree(new String(all, start, i - start, StandardCharsets.UTF_8)));
                    start = i + 1;
                }
            }
            pending.reset();
            pending.write(all, start, all.length - start);
        }

        private void event(JsonNode e) {
            String type = e.path("type").asText();
            JsonNode object = e.path("object");
            if (type.equals("ERROR")) {
                // 410 Gone inside a 200 stream: the version is older than the watch cache keeps
                gone |= object.path("code").asInt() == 410;
                return;
            }
            JsonNode metadata = object.path("metadata");
            String rv = metadata.path("resourceVersion").asText(null);
            if (rv != null) {
                resourceVersion = rv;
            }
            if (type.equals("ADDED") || type.equals("MODIFIED")) {
                onChange.accept(nodeMetadata(metadata));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            end.completeExceptionally(cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            end.complete(new WatchEnd(resourceVersion, gone));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> strings(JsonNode n) {
        return n.isObject() ? JSON.convertValue(n, Map.class) : Map.of();
    }

    /** A JSON merge patch of the Node's metadata (labels, annotations). */
    void patchNodeMetadata(String name, Map<String, Object> metadata) throws IOException, InterruptedException {
        byte[] body = JSON.writeValueAsBytes(Map.of("metadata", metadata));
        check(send(HttpMethod.PATCH, "/api/v1/nodes/" + name, "application/json", body,
            "application/merge-patch+json"), "PATCH node " + name);
    }

    /** Creates a pod; false when one of that name exists already (an earlier one still being deleted). */
    boolean createPod(String namespace, Map<String, Object> pod) throws IOException, InterruptedException {
        Response r = send(HttpMethod.POST, "/api/v1/namespaces/" + namespace + "/pods", "application/json",
            JSON.writeValueAsBytes(pod), "application/json");
        if (r.status() == 409) {
            return false;
        }
        check(r, "POST pod in " + namespace);
        return true;
    }

    /** A pod, or empty when it does not exist. */
    Optional<JsonNode> getPod(String namespace, String name) throws IOException, InterruptedException {
        Response r = send(HttpMethod.GET, "/api/v1/namespaces/" + namespace + "/pods/" + name, "application/json",
            null, null);
        if (r.status() == 404) {
            return Optional.empty();
        }
        check(r, "GET pod " + namespace + "/" + name);
        return Optional.of(JSON.readTree(r.body()));
    }

    /** Deletes a pod at once; nothing when it is gone already. */
    void deletePod(String namespace, String name) throws IOException, InterruptedException {
        Response r = send(HttpMethod.DELETE, "/api/v1/namespaces/" + namespace + "/pods/" + name
            + "?gracePeriodSeconds=0", "application/json", null, null);
        if (r.status() != 404) {
            check(r, "DELETE pod " + namespace + "/" + name);
        }
    }

    /** One request on a connection of its own: the agent makes one every few minutes, so nothing is kept open. */
    private Response send(HttpMethod method, String path, String accept, byte[] body, String contentType)
        throws IOException, InterruptedException {
        FullHttpRequest request = request(method, path, accept, body, contentType);
        CompletableFuture<Response> response = new CompletableFuture<>();
        Channel channel = connect(request, new Pipeline(response), response);
        try {
            return response.get(RESPONSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new IOException(method + " " + path + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new IOException(method + " " + path + ": no answer in " + RESPONSE_TIMEOUT_SECONDS + " s", e);
        } finally {
            channel.close();
        }
    }

    /** A request with the pod's token, re-read every time: the kubelet rotates projected service-account tokens. */
    private FullHttpRequest request(HttpMethod method, String path, String accept, byte[] body, String contentType)
        throws IOException {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path,
            body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        request.headers().set(HttpHeaderNames.HOST, host.contains(":") ? "[" + host + "]" : host)
            .set(HttpHeaderNames.AUTHORIZATION, "Bearer " + Files.readString(tokenFile).strip())
            .set(HttpHeaderNames.ACCEPT, accept)
            .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
            .setInt(HttpHeaderNames.CONTENT_LENGTH, request.content().readableBytes());
        if (body != null) {
            request.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        return request;
    }

    /** Connects on the agent's event loop and sends the request; a failed connect fails {@code result}. */
    private Channel connect(FullHttpRequest request, ChannelInitializer<SocketChannel> pipeline,
                            CompletableFuture<?> result) {
        ChannelFuture connect = new Bootstrap().group(UnixGrpc.eventLoops()).channel(NioSocketChannel.class)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS).handler(pipeline)
            .connect(host, port);
        Channel channel = connect.channel();
        connect.addListener(f -> {
            if (f.isSuccess()) {
                channel.writeAndFlush(request);
            } else {
                request.release();
                result.completeExceptionally(f.cause());
            }
        });
        return channel;
    }

    /** TLS that checks the server's name against its certificate. */
    private SslHandler sslHandler() {
        SSLEngine engine = tls.createSSLEngine(host, port);
        engine.setUseClientMode(true);
        SSLParameters params = engine.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(params);
        return new SslHandler(engine);
    }

    /** TLS, HTTP/1.1, one whole response. */
    private final class Pipeline extends ChannelInitializer<SocketChannel> {

        private final CompletableFuture<Response> response;

        Pipeline(CompletableFuture<Response> response) {
            this.response = response;
        }

        @Override
        protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(sslHandler(), new HttpClientCodec(),
                new HttpObjectAggregator(MAX_RESPONSE_BYTES), new SimpleChannelInboundHandler<FullHttpResponse>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse msg) {
                        response.complete(new Response(msg.status().code(),
                            msg.content().toString(StandardCharsets.UTF_8)));
                        ctx.close();
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        response.completeExceptionally(cause);
                        ctx.close();
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        response.completeExceptionally(new IOException("the API server closed the connection"));
                    }
                });
        }
    }

    private static void check(Response r, String what) throws IOException {
        if (r.status() / 100 != 2) {
            throw new IOException(what + ": HTTP " + r.status() + " " + r.body().strip());
        }
    }
}
