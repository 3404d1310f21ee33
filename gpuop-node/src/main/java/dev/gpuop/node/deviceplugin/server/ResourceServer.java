package dev.gpuop.node.deviceplugin.server;

import dev.gpuop.kubelet.UnixGrpc;
import dev.gpuop.node.deviceplugin.config.DevicePluginSettings;
import dev.gpuop.node.deviceplugin.model.AllocationException;
import dev.gpuop.node.deviceplugin.model.Allocator;
import dev.gpuop.node.deviceplugin.model.PairScores;
import dev.gpuop.node.deviceplugin.model.PluginDevice;
import dev.gpuop.node.deviceplugin.model.PreferredAllocator;
import dev.gpuop.node.deviceplugin.model.ResourceSpec;
import dev.gpuop.node.deviceplugin.v1beta1.AllocateRequest;
import dev.gpuop.node.deviceplugin.v1beta1.AllocateResponse;
import dev.gpuop.node.deviceplugin.v1beta1.ContainerAllocateRequest;
import dev.gpuop.node.deviceplugin.v1beta1.ContainerPreferredAllocationRequest;
import dev.gpuop.node.deviceplugin.v1beta1.ContainerPreferredAllocationResponse;
import dev.gpuop.node.deviceplugin.v1beta1.Device;
import dev.gpuop.node.deviceplugin.v1beta1.DevicePluginGrpc;
import dev.gpuop.node.deviceplugin.v1beta1.DevicePluginOptions;
import dev.gpuop.node.deviceplugin.v1beta1.Empty;
import dev.gpuop.node.deviceplugin.v1beta1.ListAndWatchResponse;
import dev.gpuop.node.deviceplugin.v1beta1.NUMANode;
import dev.gpuop.node.deviceplugin.v1beta1.PreStartContainerRequest;
import dev.gpuop.node.deviceplugin.v1beta1.PreStartContainerResponse;
import dev.gpuop.node.deviceplugin.v1beta1.PreferredAllocationRequest;
import dev.gpuop.node.deviceplugin.v1beta1.PreferredAllocationResponse;
import dev.gpuop.node.deviceplugin.v1beta1.TopologyInfo;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Predicate;

/**
 * One advertised resource served to the kubelet on its own socket: the kubelet's {@code DevicePlugin} service.
 * {@code ListAndWatch} sends the full device list at once and again on every health change, to every open stream.
 * Every handler answers at once (an allocation checks device files with a stat at most), so the calls run on the
 * socket's event loop ({@link UnixGrpc#serveNonBlocking}).
 */
public final class ResourceServer extends DevicePluginGrpc.DevicePluginImplBase implements AutoCloseable {

    static final String HEALTHY = "Healthy";
    static final String UNHEALTHY = "Unhealthy";

    private final ResourceSpec resource;
    private final DevicePluginSettings settings;
    private final PairScores scores;
    private final Allocator allocator;
    private final PreferredAllocator preferred;
    private final Predicate<String> gpuHealthy;
    private final Set<StreamObserver<ListAndWatchResponse>> watchers = new CopyOnWriteArraySet<>();
    private Server server;
    private Path socket;

    /**
     * @param gpuHealthy whether a full GPU (by UUID) is healthy now
     */
    public ResourceServer(ResourceSpec resource, DevicePluginSettings settings, PairScores scores,
                          Predicate<String> gpuHealthy) {
        this.resource = resource;
        this.settings = settings;
        this.scores = scores;
        this.allocator = new Allocator(resource, settings, UUID::randomUUID);
        this.preferred = new PreferredAllocator(resource, scores);
        this.gpuHealthy = gpuHealthy;
    }

    /** The resource served. */
    public ResourceSpec resource() {
        return resource;
    }

    /** A new server of the same resource, not started: what a restarted kubelet is given on a new socket. */
    public ResourceServer another() {
        return new ResourceServer(resource, settings, scores, gpuHealthy);
    }

    /** Starts serving on a socket of its own in {@code dir}, named by {@link #endpoint()}. */
    public synchronized void start(Path dir) {
        socket = dir.resolve(uniqueName(resource.socketName()));
        server = UnixGrpc.serveNonBlocking(socket, this);
    }

    /**
     * The socket file name registered with the kubelet, e.g. {@code gpuop-gpu-1a2b3c4d.sock}: every start picks a new
     * one. The kubelet keys a resource's endpoints by socket path and refuses a path it still holds ("device plugin
     * already connected"); kubelet 1.37 was seen to hold one for good after two registrations on it overlapped, so
     * that the node had no GPUs until the kubelet restarted. A new path is always accepted, and the old endpoint is
     * dropped when its stream ends.
     */
    public synchronized String endpoint() {
        return socket.getFileName().toString();
    }

    static String uniqueName(String socketName) {
        String base = socketName.substring(0, socketName.length() - ".sock".length());
        return base + "-" + UUID.randomUUID().toString().substring(0, 8) + ".sock";
    }

    /** The socket file it serves on. */
    synchronized Path socketPath() {
        return socket;
    }

    /** The open ListAndWatch streams. */
    int watcherCount() {
        return watchers.size();
    }

    /** The current device list, health included. */
    public ListAndWatchResponse snapshot() {
        ListAndWatchResponse.Builder b = ListAndWatchResponse.newBuilder();
        for (PluginDevice d : resource.devices()) {
            Device.Builder dev = Device.newBuilder().setID(d.id())
                .setHealth(gpuHealthy.test(d.physical().gpuUuid()) ? HEALTHY : UNHEALTHY);
            if (d.physical().numaNode() >= 0) {
                dev.setTopology(TopologyInfo.newBuilder().addNodes(NUMANode.newBuilder()
                    .setID(d.physical().numaNode())));
            }
            b.addDevices(dev);
        }
        return b.build();
    }

    /** Sends the current list to every open ListAndWatch stream. */
    public void healthChanged() {
        ListAndWatchResponse now = snapshot();
        for (StreamObserver<ListAndWatchResponse> w : watchers) {
            try {
                w.onNext(now);
            } catch (RuntimeException gone) {
                watchers.remove(w);
            }
        }
    }

    @Override
    public void getDevicePluginOptions(Empty request, StreamObserver<DevicePluginOptions> out) {
        out.onNext(DevicePluginOptions.newBuilder().setGetPreferredAllocationAvailable(true).build());
        out.onCompleted();
    }

    @Override
    public void listAndWatch(Empty request, StreamObserver<ListAndWatchResponse> out) {
        ServerCallStreamObserver<ListAndWatchResponse> call = (ServerCallStreamObserver<ListAndWatchResponse>) out;
        call.setOnCancelHandler(() -> watchers.remove(out));
        synchronized (out) {
            watchers.add(out);
            out.onNext(snapshot());
        }
    }

    @Override
    public void allocate(AllocateRequest request, StreamObserver<AllocateResponse> out) {
        try {
            AllocateResponse.Builder r = AllocateResponse.newBuilder();
            for (ContainerAllocateRequest c : request.getContainerRequestsList()) {
                r.addContainerResponses(allocator.allocate(c.getDevicesIdsList()));
            }
            out.onNext(r.build());
            out.onCompleted();
        } catch (AllocationException e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
        }
    }

    @Override
    public void getPreferredAllocation(PreferredAllocationRequest request,
                                       StreamObserver<PreferredAllocationResponse> out) {
        try {
            PreferredAllocationResponse.Builder r = PreferredAllocationResponse.newBuilder();
            for (ContainerPreferredAllocationRequest c : request.getContainerRequestsList()) {
                List<String> ids = preferred.prefer(c.getAvailableDeviceIDsList(), c.getMustIncludeDeviceIDsList(),
                    c.getAllocationSize());
                r.addContainerResponses(ContainerPreferredAllocationResponse.newBuilder().addAllDeviceIDs(ids));
            }
            out.onNext(r.build());
            out.onCompleted();
        } catch (AllocationException e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
        }
    }

    @Override
    public void preStartContainer(PreStartContainerRequest request, StreamObserver<PreStartContainerResponse> out) {
        out.onNext(PreStartContainerResponse.getDefaultInstance());
        out.onCompleted();
    }

    @Override
    public synchronized void close() {
        watchers.forEach(w -> {
            try {
                w.onCompleted();
            } catch (RuntimeException ignored) {
                // the kubelet went away first
            }
        });
        watchers.clear();
        if (server != null) {
            UnixGrpc.stop(server);
            try {
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                // the kubelet wipes the directory on its next start
            }
        }
    }
}
