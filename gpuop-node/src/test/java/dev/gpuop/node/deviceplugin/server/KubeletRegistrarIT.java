package dev.gpuop.node.deviceplugin.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Waiting for the kubelet to listen on its socket, on real Unix sockets. */
class KubeletRegistrarIT {

    @TempDir
    Path dir;

    @Test
    void aSocketThatStartsListeningLaterIsFound() throws Exception {
        Path socket = dir.resolve("kubelet.sock");
        CompletableFuture<ServerSocketChannel> later = CompletableFuture.supplyAsync(() -> {
            try {
                Thread.sleep(150);
                ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                s.bind(UnixDomainSocketAddress.of(socket));
                return s;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            assertThat(KubeletRegistrar.awaitListening(socket, Duration.ofSeconds(10), () -> false)).isTrue();
        } finally {
            later.get(5, TimeUnit.SECONDS).close();
        }
    }

    @Test
    void aNewerKubeletSocketEndsTheWait() {
        AtomicInteger asked = new AtomicInteger();
        // nothing ever listens; the wait ends at the third look because a newer socket "appeared"
        assertThat(KubeletRegistrar.awaitListening(dir.resolve("kubelet.sock"), Duration.ofMinutes(5),
            () -> asked.incrementAndGet() >= 3)).isFalse();
        assertThat(asked).hasValue(3);
    }

    @Test
    void aKubeletThatNeverListensIsUnavailableNamingItsSocket() throws Exception {
        Path own = Files.createFile(dir.resolve("gpuop-gpu-1.sock"));
        Path kubelet = dir.resolve("kubelet.sock");
        assertThatThrownBy(() -> KubeletRegistrar.register(dir, own.getFileName().toString(), "nvidia.com/gpu",
            kubelet, () -> true))
            .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(e.getStatus().getDescription()).contains(kubelet.toString(), "does not accept");
            });
    }
}
