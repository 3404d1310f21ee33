package dev.gpuop.node.toolkit;

import dev.gpuop.node.cri.v1.RuntimeServiceGrpc;
import dev.gpuop.node.cri.v1.StatusRequest;
import dev.gpuop.node.cri.v1.StatusResponse;
import dev.gpuop.node.cri.v1.VersionRequest;
import dev.gpuop.kubelet.UnixGrpc;
import dev.gpuop.node.cri.v1.VersionResponse;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The kubelet's view of containerd: CRI calls over its Unix socket (netty's NIO domain-socket channel, no native
 * library). "containerd answers" means the CRI plugin answers, which is what pods need, not just a listening socket.
 */
public final class CriClient implements AutoCloseable {

    private final ManagedChannel channel;
    private final RuntimeServiceGrpc.RuntimeServiceBlockingStub stub;

    private CriClient(Path socket) {
        this.channel = UnixGrpc.connect(socket);
        this.stub = RuntimeServiceGrpc.newBlockingStub(channel);
    }

    /** A client for the socket (no connection is made until the first call). */
    public static CriClient of(Path socket) {
        return new CriClient(socket);
    }

    /** The CRI Version call. */
    public VersionResponse version(Duration timeout) {
        return stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .version(VersionRequest.newBuilder().setVersion("v1").build());
    }

    /** The CRI Status call with verbose info: {@code info["config"]} is the CRI config containerd loaded (JSON). */
    public StatusResponse status(Duration timeout) {
        return stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .status(StatusRequest.newBuilder().setVerbose(true).build());
    }

    /** The runtime's version when it answers on the socket within the timeout, else empty. */
    public static Optional<VersionResponse> answers(Path socket, Duration timeout) {
        if (!Files.exists(socket)) {
            return Optional.empty();
        }
        try (CriClient cri = of(socket)) {
            return Optional.of(cri.version(timeout));
        } catch (StatusRuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
