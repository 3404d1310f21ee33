package dev.gpuop.node.deviceplugin.server;

import dev.gpuop.kubelet.UnixGrpc;
import dev.gpuop.node.deviceplugin.v1beta1.DevicePluginGrpc;
import dev.gpuop.node.deviceplugin.v1beta1.DevicePluginOptions;
import dev.gpuop.node.deviceplugin.v1beta1.Empty;
import dev.gpuop.node.deviceplugin.v1beta1.RegisterRequest;
import dev.gpuop.node.deviceplugin.v1beta1.RegistrationGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Registers a resource with the kubelet, after checking that our own server answers (NVIDIA's order). */
public final class KubeletRegistrar {

    /** The API version the kubelet accepts. */
    public static final String VERSION = "v1beta1";
    private static final long TIMEOUT_SECONDS = 5;

    private KubeletRegistrar() {
    }

    /**
     * Dials our socket, then the kubelet's, and registers.
     *
     * @throws StatusRuntimeException when either side does not answer in time, or the kubelet refuses
     */
    public static void register(Path pluginDir, String socketName, String resourceName, Path kubeletSocket) {
        ManagedChannel self = UnixGrpc.connect(pluginDir.resolve(socketName));
        try {
            DevicePluginGrpc.newBlockingStub(self).withWaitForReady()
                .withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .getDevicePluginOptions(Empty.getDefaultInstance());
        } finally {
            self.shutdownNow();
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
