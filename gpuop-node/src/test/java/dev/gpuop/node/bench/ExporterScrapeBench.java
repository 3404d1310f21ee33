package dev.gpuop.node.bench;

import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import dev.gpuop.kubelet.podresources.v1.ContainerDevices;
import dev.gpuop.kubelet.podresources.v1.ContainerResources;
import dev.gpuop.kubelet.podresources.v1.PodResources;
import dev.gpuop.node.exporter.DcgmExporter;
import dev.gpuop.testsupport.PodResourcesStandIn;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * GPU metrics scrape latency over HTTP: {@code /metrics} of the node agent's exporter with 8 simulated GPUs (or the
 * host's GPUs with {@code --real}) and 50 pods holding time-sliced replicas of them behind a pod-resources stand-in,
 * next to {@code /health} on the same server and connection (the HTTP floor, in the same run), and the exporter
 * thread's CPU time per scrape. Run by bench/exporter-scrape.sh.
 */
public final class ExporterScrapeBench {

    private ExporterScrapeBench() {
    }

    public static void main(String[] args) throws Exception {
        int scrapes = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        boolean real = args.length > 1 && args[1].equals("--real");
        Path dir = Files.createTempDirectory("gpuop-scrape");
        Path socket = dir.resolve("kubelet.sock");
        try (GpuHost host = real ? dev.gpuop.gpu.GpuHosts.open(null, dev.gpuop.gpu.DriverLibraries.standard())
                 : SimulatedGpuHost.open("h100-sxm-8x");
             PodResourcesStandIn kubelet = new PodResourcesStandIn(socket);
             DcgmExporter exporter = new DcgmExporter(host, "bench-node", socket)) {
            List<PodResources> pods = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String gpu = host.gpus().get(i % host.gpus().size()).info().uuid();
                pods.add(PodResources.newBuilder().setNamespace("team-" + (i % 5)).setName("job-" + i)
                    .addContainers(ContainerResources.newBuilder().setName("main").addDevices(ContainerDevices
                        .newBuilder().setResourceName("nvidia.com/gpu").addDeviceIds(gpu + "::" + (i / 8))))
                    .build());
            }
            kubelet.set(pods);
            exporter.start(0);
            exporter.pods().refresh();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI metrics = URI.create("http://127.0.0.1:" + exporter.port() + "/metrics");
            URI health = URI.create("http://127.0.0.1:" + exporter.port() + "/health");
            int bytes = 0;
            for (int i = 0; i < 2_000; i++) {
                bytes = get(http, metrics).length();
                get(http, health);
            }
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long tid = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("gpuop-metrics-http")).findFirst().orElseThrow().threadId();
            double[] scrape = new double[scrapes];
            double[] floor = new double[scrapes];
            long cpuBefore = mx.getThreadCpuTime(tid);
            for (int i = 0; i < scrapes; i++) {
                long t0 = System.nanoTime();
                get(http, metrics);
                long t1 = System.nanoTime();
                scrape[i] = (t1 - t0) / 1000.0;
            }
            long cpuScrapes = mx.getThreadCpuTime(tid) - cpuBefore;
            for (int i = 0; i < scrapes; i++) {
                long t0 = System.nanoTime();
                get(http, health);
                floor[i] = (System.nanoTime() - t0) / 1000.0;
            }
            System.out.printf("%d GPUs (%s), 50 pods, %d series lines, %d bytes per scrape%n", host.gpus().size(),
                real ? host.gpus().getFirst().info().name() : "simulated h100-sxm-8x",
                get(http, metrics).lines().filter(l -> !l.startsWith("#")).count(), bytes);
            Percentiles.report("GET /metrics", scrape);
            Percentiles.report("GET /health (floor)", floor);
            System.out.printf("metrics p50 / floor p50 = %.2fx; exporter thread CPU per scrape: %.1f us%n",
                Percentiles.pct(scrape, 0.5) / Percentiles.pct(floor, 0.5), cpuScrapes / 1000.0 / scrapes);
            System.out.printf("node agent process RSS now: %d MiB%n", rssKib() / 1024);
        }
        System.exit(0);
    }

    private static String get(HttpClient http, URI uri) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(uri + " answered " + r.statusCode());
        }
        return r.body();
    }

    private static long rssKib() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }
}
