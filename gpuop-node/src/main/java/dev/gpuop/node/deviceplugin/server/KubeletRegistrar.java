package dev.gpuop.node.deviceplugin.server;

import dev.gpuop.node.deviceplugin.v1beta1.DevicePluginOptions;
import dev.gpuop.node.deviceplugin.v1beta1.RegisterRequest;
import dev.gpuop.node.deviceplugin.v1beta1.RegistrationGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Registers a resource with the kubelet. NVIDIA's plugin first dials its own socket to see its server answer; this
 * one does not: its server's start returns once the socket is bound and listening, so the kubelet's dial cannot find
 * it closed, and the extra connection (a new gRPC channel, its HTTP/2 handshake and one call) was about a third of
 * the time a restarted kubelet waited for the GPUs (docs/benchmarks.md).
 */
public final class KubeletRegistrar {

    /** The API version the kubelet accepts. */
    public static final String VERSION = "v1beta1";
    private static final long TIMEOUT_SECONDS = 5;
    /** How long a registration waits for the kubelet to listen on its socket. */
    static final Duration LISTEN_WAIT = Duration.ofSeconds(2);
    private static final long POLL_NANOS = 2_000_000;

    private KubeletRegistrar() {
    }

    /**
     * Dials the kubelet and registers the endpoint, whose server must be listening already.
     *
     * @param superseded true once a newer kubelet.sock appeared: a wait for this one ends
     * @throws StatusRuntimeException when the kubelet does not listen or answer in time, or refuses
     */
    public static void register(Path pluginDir, String socketName, String resourceName, Path kubeletSocket,
                                BooleanSupplier superseded) {
        try (KubeletDial dial = KubeletDial.open(kubeletSocket)) {
            register(pluginDir, socketName, resourceName, dial, superseded);
        }
    }

    /**
     * Registers the endpoint over a connection opened before (by a caller that started its servers meanwhile).
     *
     * @param superseded true once a newer kubelet.sock appeared: a wait for this one ends
     * @throws StatusRuntimeException when the kubelet does not listen or answer in time, or refuses
     */
    public static void register(Path pluginDir, String socketName, String resourceName, KubeletDial dial,
                                BooleanSupplier superseded) {
        if (!Files.exists(pluginDir.resolve(socketName))) {
            throw new IllegalStateException("no socket " + pluginDir.resolve(socketName) + " to register");
        }
        try {
            registerOnce(dial.channel(), socketName, resourceName);
        } catch (StatusRuntimeException e) {
            // refused: most likely the moment between the kubelet's bind and its listen (below); once it listens,
            // once more at once rather than after grpc-java's backoff
            if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                throw e;
            }
            if (!awaitListening(dial.socket(), LISTEN_WAIT, superseded)) {
                throw Status.UNAVAILABLE.withDescription(dial.socket() + " does not accept connections ("
                    + e.getStatus().getDescription() + ")").asRuntimeException();
            }
            registerOnce(dial.redial(), socketName, resourceName);
        }
    }

    private static void registerOnce(ManagedChannel kubelet, String socketName, String resourceName) {
        // not waitForReady: a refused dial fails at once instead of waiting out grpc-java's reconnect backoff
        RegistrationGrpc.newBlockingStub(kubelet).withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)
            .register(RegisterRequest.newBuilder().setVersion(VERSION).setEndpoint(socketName)
                .setResourceName(resourceName)
                .setOptions(DevicePluginOptions.newBuilder().setGetPreferredAllocationAvailable(true))
                .build());
    }

    /**
     * Waits until something listens on the socket, polling every 2 ms. A kubelet binds kubelet.sock (the file
     * appears and the watcher fires) a moment before it listens; a dial in that moment is refused, and with
     * waitForReady grpc-java tried again only after its first reconnect backoff of a second: about 1 in 20
     * re-registrations against testenv's kubelet took a second among ones of 15 ms (bench/device-plugin-kubelet.sh).
     *
     * @return false if nothing listened within {@code max}, or {@code giveUp} turned true
     */
    static boolean awaitListening(Path socket, Duration max, BooleanSupplier giveUp) {
        long deadline = System.nanoTime() + max.toNanos();
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
        while (true) {
            try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                probe.connect(address);
                return true;
            } catch (IOException refusedOrMissing) {
                if (System.nanoTime() > deadline || giveUp.getAsBoolean()) {
                    return false;
                }
                LockSupport.parkNanos(POLL_NANOS);
            }
        }
    }
}
