package dev.gpuop.node.deviceplugin.server;

import dev.gpuop.kubelet.UnixGrpc;
import dev.gpuop.node.deviceplugin.v1beta1.DevicePluginOptions;
import dev.gpuop.node.deviceplugin.v1beta1.RegisterRequest;
import dev.gpuop.node.deviceplugin.v1beta1.RegistrationGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

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

    private KubeletRegistrar() {
    }

    /**
     * Dials the kubelet and registers the endpoint, whose server must be listening already.
     *
     * @throws StatusRuntimeException when the kubelet does not answer in time, or refuses
     */
    public static void register(Path pluginDir, String socketName, String resourceName, Path kubeletSocket) {
        if (!Files.exists(pluginDir.resolve(socketName))) {
            throw new IllegalStateException("no socket " + pluginDir.resolve(socketName) + " to register");
        }
        ManagedChannel kubelet = UnixGrpc.connect(kubeletSocket);
        try {
            RegistrationGrpc.newBlockingStub(kubelet).withWaitForReady()
                .withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .register(RegisterRequest.newBuilder().setVersion(VERSION).setEndpoint(socketName)
                    .setResourceName(resourceName)
                    .setOptions(DevicePluginOptions.newBuilder().setGetPreferredAllocationAvailable(true))
                    .build());
        } finally {
            kubelet.shutdownNow();
        }
    }
}
