package dev.gpuop.node.deviceplugin.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gpuop.kubelet.UnixGrpc;
import dev.gpuop.node.deviceplugin.v1beta1.AllocateRequest;
import dev.gpuop.node.deviceplugin.v1beta1.AllocateResponse;
import dev.gpuop.node.deviceplugin.v1beta1.ContainerAllocateRequest;
import dev.gpuop.node.deviceplugin.v1beta1.DevicePluginGrpc;
import dev.gpuop.node.deviceplugin.v1beta1.Empty;
import dev.gpuop.node.deviceplugin.v1beta1.ListAndWatchResponse;
import io.grpc.ManagedChannel;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warm-up's client against a real server on a real Unix socket, and what it puts on the wire. */
class KubeletWireClientIT {

    @TempDir
    Path dir;

    private ServedSimulatedGpus served;

    @BeforeEach
    void serve() {
        served = ServedSimulatedGpus.start(dir);
    }

    @AfterEach
    void stop() throws Exception {
        served.close();
    }

    @Test
    void itsAnswersAreTheOnesGrpcJavasClientGets() throws Exception {
        AllocateRequest request = AllocateRequest.newBuilder()
            .addContainerRequests(ContainerAllocateRequest.newBuilder().addDevicesIds(served.ids.get(3))).build();
        ManagedChannel channel = UnixGrpc.connect(served.server.socketPath());
        try (KubeletWireClient kubelet = KubeletWireClient.connect(served.server.socketPath())) {
            ListAndWatchResponse list = kubelet.openStream("ListAndWatch", Empty.getDefaultInstance(),
                ListAndWatchResponse.parser());
            assertThat(list).isEqualTo(served.server.snapshot());
            AllocateResponse expected = DevicePluginGrpc.newBlockingStub(channel).allocate(request);
            for (int i = 0; i < 3; i++) {
                // several on one connection: HPACK's table and the stream ids carry over from call to call
                assertThat(kubelet.call("Allocate", request, AllocateResponse.parser())).isEqualTo(expected);
            }
            assertThat(served.server.watcherCount()).isEqualTo(1);
        } finally {
            channel.shutdownNow();
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (served.server.watcherCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(served.server.watcherCount()).as("the stream ends with the connection").isZero();
    }

    @Test
    void aCallTheServerRefusesNamesItsStatus() throws Exception {
        AllocateRequest unknown = AllocateRequest.newBuilder()
            .addContainerRequests(ContainerAllocateRequest.newBuilder().addDevicesIds("GPU-none")).build();
        try (KubeletWireClient kubelet = KubeletWireClient.connect(served.server.socketPath())) {
            assertThatThrownBy(() -> kubelet.call("Allocate", unknown, AllocateResponse.parser()))
                .isInstanceOf(IOException.class).hasMessageContaining("grpc-status 3");
        }
    }

    /** What gRPC-Go's client writes first: its preface, an empty SETTINGS, then headers in its order. */
    @Test
    void itWritesWhatTheKubeletsGoClientWrites() throws Exception {
        Path socket = dir.resolve("capture.sock");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            CompletableFuture<Void> call = CompletableFuture.runAsync(() -> {
                try (KubeletWireClient kubelet = KubeletWireClient.connect(socket)) {
                    kubelet.call("Allocate", AllocateRequest.getDefaultInstance(), AllocateResponse.parser());
                } catch (IOException expected) {
                    // the capture closes the connection without answering
                }
            });
            try (SocketChannel peer = listener.accept()) {
                ByteBuffer preface = read(peer, 24);
                assertThat(StandardCharsets.US_ASCII.decode(preface).toString())
                    .isEqualTo("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
                ByteBuffer settings = read(peer, 9);
                assertThat(settings.getInt(0) >>> 8).as("SETTINGS length").isZero();
                assertThat(settings.get(3)).as("frame type").isEqualTo((byte) 4);
                ByteBuffer frame = read(peer, 9);
                assertThat(frame.get(3)).as("HEADERS").isEqualTo((byte) 1);
                ByteBuffer block = read(peer, frame.getInt(0) >>> 8);
                Http2Headers headers = new DefaultHttp2HeadersDecoder(false)
                    .decodeHeaders(1, Unpooled.wrappedBuffer(block));
                List<String> names = new ArrayList<>();
                headers.forEach(e -> names.add(e.getKey().toString()));
                assertThat(names).containsExactly(":method", ":scheme", ":path", ":authority", "content-type",
                    "user-agent", "te");
                assertThat(headers.path().toString()).isEqualTo("/v1beta1.DevicePlugin/Allocate");
            }
            call.get(5, TimeUnit.SECONDS);
        }
    }

    private static ByteBuffer read(SocketChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("closed after " + b.position() + " of " + n + " bytes");
            }
        }
        return b.flip();
    }
}
