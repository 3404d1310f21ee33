package dev.gpuop.node.exporter;

import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.kubelet.UnixGrpc;
import dev.gpuop.kubelet.podresources.v1.ContainerDevices;
import dev.gpuop.kubelet.podresources.v1.ContainerResources;
import dev.gpuop.kubelet.podresources.v1.ListPodResourcesRequest;
import dev.gpuop.kubelet.podresources.v1.PodResources;
import dev.gpuop.kubelet.podresources.v1.PodResourcesListerGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The pod, namespace and container holding each GPU, asked of the kubelet's pod-resources API ({@code List}) on a
 * timer, never on the scrape path: the kubelet's v1 API has no watch, and a scrape must not wait on the kubelet. The
 * cache is replaced only when the answer changes. Where the socket is absent (no kubelet, or not mounted) the GPUs
 * carry no pod labels and the reason is logged once.
 */
public final class PodAttribution implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PodAttribution.class.getName());
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    private final Path socket;
    private final Supplier<List<GpuInfo>> gpus;
    private volatile Map<String, PodDevices.PodRef> byGpu = Map.of();
    private volatile String problem;
    private ManagedChannel channel;
    private Thread thread;
    private volatile boolean running;

    public PodAttribution(Path socket, Supplier<List<GpuInfo>> gpus) {
        this.socket = socket;
        this.gpus = gpus;
    }

    /** Asks now, then every {@code interval} on a virtual thread. */
    public synchronized void start(Duration interval) {
        running = true;
        refresh();
        thread = Thread.ofVirtual().name("gpuop-pod-attribution").start(() -> {
            while (running) {
                try {
                    Thread.sleep(interval);
                } catch (InterruptedException e) {
                    return;
                }
                refresh();
            }
        });
    }

    /** GPU UUID → its holder, as of the last answer. */
    public Map<String, PodDevices.PodRef> byGpu() {
        return byGpu;
    }

    /** Why the last ask failed, or null. */
    public String problem() {
        return problem;
    }

    /** One ask of the kubelet; the cache changes only when the answer does. */
    public synchronized void refresh() {
        if (!Files.exists(socket)) {
            fail("no kubelet pod-resources socket at " + socket + ": GPU metrics carry no pod labels");
            byGpu = Map.of();
            return;
        }
        try {
            if (channel == null) {
                channel = UnixGrpc.connect(socket);
            }
            List<PodDevices.Holding> holdings = new ArrayList<>();
            for (PodResources pod : PodResourcesListerGrpc.newBlockingStub(channel)
                .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .list(ListPodResourcesRequest.getDefaultInstance()).getPodResourcesList()) {
                for (ContainerResources c : pod.getContainersList()) {
                    for (ContainerDevices d : c.getDevicesList()) {
                        holdings.add(new PodDevices.Holding(pod.getNamespace(), pod.getName(), c.getName(),
                            d.getResourceName(), d.getDeviceIdsList()));
                    }
                }
            }
            Map<String, PodDevices.PodRef> next = PodDevices.byGpu(holdings, gpus.get());
            if (!next.equals(byGpu)) {
                byGpu = Map.copyOf(next);
            }
            problem = null;
        } catch (StatusRuntimeException e) {
            // a restarted kubelet makes a new socket: reconnect on the next ask
            closeChannel();
            fail("the kubelet's pod-resources API does not answer List: " + e.getStatus().getCode());
        }
    }

    private void fail(String why) {
        if (!why.equals(problem)) {
            LOG.log(System.Logger.Level.WARNING, why);
        }
        problem = why;
    }

    private void closeChannel() {
        if (channel != null) {
            channel.shutdownNow();
            channel = null;
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
        closeChannel();
    }
}
