package dev.gpuop.node.validation;

import dev.gpuop.kubelet.UnixGrpc;
import dev.gpuop.kubelet.podresources.v1.AllocatableResourcesRequest;
import dev.gpuop.kubelet.podresources.v1.ContainerDevices;
import dev.gpuop.kubelet.podresources.v1.PodResourcesListerGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The devices the kubelet itself counts as allocatable, per resource name, from its pod-resources socket: the node's
 * own answer to "did the kubelet take our resources", with no API server in the way.
 *
 * @param devices device count per resource name; empty when the kubelet could not be asked
 * @param error why the kubelet could not be asked, or null
 */
public record KubeletAllocatable(Map<String, Integer> devices, String error) {

    /** Asks the kubelet on this socket. */
    public static KubeletAllocatable ask(Path socket, Duration timeout) {
        if (!Files.exists(socket)) {
            return new KubeletAllocatable(Map.of(), "no kubelet pod-resources socket at " + socket);
        }
        ManagedChannel channel = UnixGrpc.connect(socket);
        try {
            Map<String, Integer> out = new TreeMap<>();
            for (ContainerDevices d : PodResourcesListerGrpc.newBlockingStub(channel)
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .getAllocatableResources(AllocatableResourcesRequest.getDefaultInstance()).getDevicesList()) {
                out.merge(d.getResourceName(), d.getDeviceIdsCount(), Integer::sum);
            }
            return new KubeletAllocatable(Map.copyOf(out), null);
        } catch (StatusRuntimeException e) {
            return new KubeletAllocatable(Map.of(), "the kubelet's pod-resources API does not answer: "
                + e.getStatus().getCode());
        } finally {
            channel.shutdownNow();
        }
    }
}
