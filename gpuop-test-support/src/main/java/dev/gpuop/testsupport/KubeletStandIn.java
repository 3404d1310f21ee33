package dev.gpuop.testsupport;

import dev.gpuop.kubelet.UnixGrpc;
import dev.gpuop.node.deviceplugin.v1beta1.AllocateRequest;
import dev.gpuop.node.deviceplugin.v1beta1.AllocateResponse;
import dev.gpuop.node.deviceplugin.v1beta1.ContainerAllocateRequest;
import dev.gpuop.node.deviceplugin.v1beta1.ContainerPreferredAllocationRequest;
import dev.gpuop.node.deviceplugin.v1beta1.Device;
import dev.gpuop.node.deviceplugin.v1beta1.DevicePluginGrpc;
import dev.gpuop.node.deviceplugin.v1beta1.DevicePluginOptions;
import dev.gpuop.node.deviceplugin.v1beta1.Empty;
import dev.gpuop.node.deviceplugin.v1beta1.ListAndWatchResponse;
import dev.gpuop.node.deviceplugin.v1beta1.PreferredAllocationRequest;
import dev.gpuop.node.deviceplugin.v1beta1.RegisterRequest;
import dev.gpuop.node.deviceplugin.v1beta1.RegistrationGrpc;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A kubelet's device manager, as far as a device plugin can tell: it serves {@code Registration} on its own
 * {@code kubelet.sock} over a real Unix socket, and for each registration dials the plugin back, reads its options
 * and consumes {@code ListAndWatch}, as the kubelet does. Tests call {@code Allocate} and
 * {@code GetPreferredAllocation} through it, and {@link #restart()} does what a kubelet restart does to the
 * directory: every socket deleted, {@code kubelet.sock} recreated.
 */
public final class KubeletStandIn implements AutoCloseable {

    /** A registration the stand-in accepted. */
    public record Registration(RegisterRequest request, DevicePluginOptions options, Instant at) {
    }

    private static final String CHECKPOINT = "kubelet_internal_checkpoint";

    private final Path dir;
    private final Map<String, List<Device>> devices = new ConcurrentHashMap<>();
    private final Map<String, Integer> updates = new ConcurrentHashMap<>();
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final List<Registration> registrations = new CopyOnWriteArrayList<>();
    private final AtomicInteger refusals = new AtomicInteger();
    private Server server;

    public KubeletStandIn(Path dir) {
        this.dir = dir;
    }

    /** The device-plugin directory. */
    public Path dir() {
        return dir;
    }

    /** Wipes the directory as the kubelet does at start and serves Registration on kubelet.sock. */
    public synchronized KubeletStandIn start() {
        wipeSockets();
        server = UnixGrpc.serve(dir.resolve("kubelet.sock"), new RegistrationService());
        return this;
    }

    /** A kubelet restart: connections dropped, every socket in the directory deleted, kubelet.sock recreated. */
    public synchronized Instant restart() {
        stop();
        devices.clear();
        Instant at = Instant.now();
        start();
        return at;
    }

    /** Stops serving and drops the plugins' streams, leaving the directory as a dead kubelet would. */
    public synchronized void stop() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        channels.clear();
        if (server != null) {
            UnixGrpc.stop(server);
            server = null;
        }
    }

    /**
     * Refuses the next registrations as the kubelet does while it still holds the connection of a plugin that was
     * replaced ("device plugin already connected").
     */
    public void refuseNextRegistrations(int count) {
        refusals.set(count);
    }

    /** Every accepted registration, oldest first. */
    public List<Registration> registrations() {
        return List.copyOf(registrations);
    }

    /** The last device list the plugin sent for a resource (empty before any). */
    public List<Device> devices(String resource) {
        return devices.getOrDefault(resource, List.of());
    }

    /** How many ListAndWatch updates arrived for a resource. */
    public int updates(String resource) {
        return updates.getOrDefault(resource, 0);
    }

    /** Waits until the resource's device list satisfies the condition. */
    public List<Device> awaitDevices(String resource, Predicate<List<Device>> condition, Duration timeout)
        throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<Device> now = devices(resource);
            if (condition.test(now)) {
                return now;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("timed out waiting on " + resource + "; last list: " + devices(resource));
    }

    /** Calls Allocate for one container, as the kubelet does when admitting a pod. */
    public AllocateResponse allocate(String resource, List<String> ids) {
        return DevicePluginGrpc.newBlockingStub(channel(resource)).withDeadlineAfter(10, TimeUnit.SECONDS)
            .allocate(AllocateRequest.newBuilder().addContainerRequests(ContainerAllocateRequest.newBuilder()
                .addAllDevicesIds(ids)).build());
    }

    /** Calls GetPreferredAllocation for one container. */
    public List<String> preferred(String resource, List<String> available, List<String> mustInclude, int size) {
        return DevicePluginGrpc.newBlockingStub(channel(resource)).withDeadlineAfter(10, TimeUnit.SECONDS)
            .getPreferredAllocation(PreferredAllocationRequest.newBuilder().addContainerRequests(
                ContainerPreferredAllocationRequest.newBuilder().addAllAvailableDeviceIDs(available)
                    .addAllMustIncludeDeviceIDs(mustInclude).setAllocationSize(size)).build())
            .getContainerResponses(0).getDeviceIDsList();
    }

    private ManagedChannel channel(String resource) {
        ManagedChannel c = channels.get(resource);
        if (c == null) {
            throw new IllegalStateException(resource + " is not registered");
        }
        return c;
    }

    private void wipeSockets() {
        try {
            Files.createDirectories(dir);
            try (Stream<Path> entries = Files.list(dir)) {
                for (Path p : entries.toList()) {
                    if (!Files.isDirectory(p) && !p.getFileName().toString().equals(CHECKPOINT)) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** The kubelet side of registration: validate, dial back, read options, then consume ListAndWatch. */
    private final class RegistrationService extends RegistrationGrpc.RegistrationImplBase {

        @Override
        public void register(RegisterRequest request, StreamObserver<Empty> out) {
            if (!request.getVersion().equals("v1beta1")) {
                out.onError(Status.INVALID_ARGUMENT.withDescription("unsupported version " + request.getVersion())
                    .asRuntimeException());
                return;
            }
            String resource = request.getResourceName();
            if (refusals.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                out.onError(Status.UNKNOWN.withDescription("device plugin already connected: "
                    + dir.resolve(request.getEndpoint())).asRuntimeException());
                return;
            }
            ManagedChannel channel = UnixGrpc.connect(dir.resolve(request.getEndpoint()));
            ManagedChannel old = channels.put(resource, channel);
            if (old != null) {
                old.shutdownNow();
            }
            DevicePluginOptions options = DevicePluginGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS).getDevicePluginOptions(Empty.getDefaultInstance());
            // The stream outlives this Register call, so it must not inherit (and die with) the call's context.
            Context.ROOT.run(() -> DevicePluginGrpc.newStub(channel).listAndWatch(Empty.getDefaultInstance(),
                new DeviceListObserver(resource)));
            registrations.add(new Registration(request, options, Instant.now()));
            out.onNext(Empty.getDefaultInstance());
            out.onCompleted();
        }
    }

    /** Keeps the latest full device list of one resource, as the kubelet's endpoint does. */
    private final class DeviceListObserver implements StreamObserver<ListAndWatchResponse> {

        private final String resource;

        DeviceListObserver(String resource) {
            this.resource = resource;
        }

        @Override
        public void onNext(ListAndWatchResponse r) {
            devices.put(resource, List.copyOf(r.getDevicesList()));
            updates.merge(resource, 1, Integer::sum);
        }

        @Override
        public void onError(Throwable t) {
            // the plugin went away (or the stand-in restarted); the kubelet keeps the resource for a grace period
        }

        @Override
        public void onCompleted() {
            // the plugin closed the stream
        }
    }
}
