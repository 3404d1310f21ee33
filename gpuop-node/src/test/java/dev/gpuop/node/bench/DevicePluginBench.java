package dev.gpuop.node.bench;

import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import dev.gpuop.node.deviceplugin.config.DevicePluginSettings;
import dev.gpuop.node.deviceplugin.server.DevicePluginManager;
import dev.gpuop.node.deviceplugin.server.PluginMetrics;
import dev.gpuop.node.deviceplugin.v1beta1.Device;
import dev.gpuop.node.deviceplugin.v1beta1.DevicePluginGrpc;
import dev.gpuop.node.deviceplugin.v1beta1.PreStartContainerRequest;
import dev.gpuop.kubelet.UnixGrpc;
import dev.gpuop.testsupport.KubeletStandIn;
import io.grpc.ManagedChannel;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Device plugin latencies over real gRPC on Unix sockets, with 8 simulated GPUs: Allocate p50/p99 over 10,000 calls
 * next to a no-op call on the same socket (PreStartContainer: the transport's floor, measured in the same run), and
 * the time from kubelet.sock's recreation to the re-registration, over 20 restarts; with a repository path as second
 * argument, also the node agent's resident memory ({@link AgentMemory}). Run by bench/device-plugin.sh.
 */
public final class DevicePluginBench {

    private static final String GPU = "nvidia.com/gpu";

    private DevicePluginBench() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Path dir = Files.createTempDirectory("gpuop-bench");
        try (GpuHost host = SimulatedGpuHost.open("h100-sxm-8x");
             KubeletStandIn kubelet = new KubeletStandIn(dir).start();
             DevicePluginManager plugin = new DevicePluginManager(host, DevicePluginSettings.DEFAULTS, dir,
                 uuid -> true, bus -> -1, new PluginMetrics(new PrometheusRegistry()), Clock.systemUTC())) {
            plugin.start();
            List<Device> devices = kubelet.awaitDevices(GPU, d -> d.size() == 8, Duration.ofSeconds(20));
            List<String> two = List.of(devices.get(1).getID(), devices.get(6).getID());
            String endpoint = kubelet.registrations().getLast().request().getEndpoint();
            ManagedChannel ch = UnixGrpc.connect(dir.resolve(endpoint));
            var stub = DevicePluginGrpc.newBlockingStub(ch);
            PreStartContainerRequest noop = PreStartContainerRequest.newBuilder().addAllDevicesIds(two).build();
            for (int i = 0; i < 3_000; i++) {
                kubelet.allocate(GPU, two);
                stub.preStartContainer(noop);
            }
            double[] alloc = new double[calls];
            double[] floor = new double[calls];
            for (int i = 0; i < calls; i++) {
                long t0 = System.nanoTime();
                kubelet.allocate(GPU, two);
                long t1 = System.nanoTime();
                stub.preStartContainer(noop);
                long t2 = System.nanoTime();
                alloc[i] = (t1 - t0) / 1000.0;
                floor[i] = (t2 - t1) / 1000.0;
            }
            ch.shutdownNow();
            Percentiles.report("allocate", alloc);
            Percentiles.report("noop-call (floor)", floor);
            System.out.printf("allocate p50 / floor p50 = %.2fx%n",
                Percentiles.pct(alloc, 0.5) / Percentiles.pct(floor, 0.5));
            reRegistration(kubelet);
        }
        if (args.length > 1) {
            AgentMemory.measure(Path.of(args[1]), System.getProperty("java.class.path"));
        }
        System.exit(0);
    }

    private static void reRegistration(KubeletStandIn kubelet) throws InterruptedException {
        double[] ms = new double[20];
        for (int i = 0; i < ms.length; i++) {
            int before = kubelet.registrations().size();
            Instant restarted = kubelet.restart();
            while (kubelet.registrations().size() == before) {
                Thread.sleep(1);
            }
            Instant registered = kubelet.registrations().getLast().at();
            ms[i] = Duration.between(restarted, registered).toNanos() / 1e6;
            kubelet.awaitDevices(GPU, d -> d.size() == 8, Duration.ofSeconds(20));
        }
        Arrays.sort(ms);
        System.out.printf("re-registration after kubelet.sock recreation (ms, 20 restarts): median %.1f, max %.1f%n",
            ms[ms.length / 2], ms[ms.length - 1]);
    }
}
