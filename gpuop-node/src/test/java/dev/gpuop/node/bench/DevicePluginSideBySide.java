package dev.gpuop.node.bench;

import dev.gpuop.kubelet.UnixGrpc;
import dev.gpuop.node.deviceplugin.v1beta1.AllocateResponse;
import dev.gpuop.node.deviceplugin.v1beta1.Device;
import dev.gpuop.node.deviceplugin.v1beta1.DevicePluginGrpc;
import dev.gpuop.node.deviceplugin.v1beta1.PreStartContainerRequest;
import dev.gpuop.testsupport.KubeletStandIn;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * gpuop's node agent and NVIDIA's device plugin (k8s-device-plugin, built by scripts/build-nvidia-device-plugin.sh)
 * on the same GPUs, against the same kubelet stand-in, in one run, one plugin at a time, in alternating rounds:
 * process start to registration, Allocate p50/p99 for one GPU next to a no-op call on the same socket,
 * re-registration after a kubelet restart (every socket deleted, kubelet.sock recreated), resident memory after the
 * load, and the Allocate answers for the same request, field by field ({@link AllocateAnswers}).
 *
 * <p>NVIDIA's plugin serves on {@code /var/lib/kubelet/device-plugins/nvidia-gpu.sock} whatever its flags say, so
 * the stand-in's directory must be that path: run as root on a machine with no kubelet (the GPU machine), from the
 * device bundle: {@code DevicePluginSideBySide NVIDIA_PLUGIN BUNDLE_DIR [CALLS] [ROUNDS]}.
 */
public final class DevicePluginSideBySide {

    static final String GPU = "nvidia.com/gpu";
    private static final Path DIR = Path.of("/var/lib/kubelet/device-plugins");
    private static final int RESTARTS = 20;

    /** A plugin process to measure: how to start it. */
    record Plugin(String name, List<String> command, Map<String, String> env) {
    }

    /** One round of one plugin. */
    record Round(String plugin, double registeredMs, double[] allocateUs, double[] floorUs, double[] reRegisterMs,
                 long rssKib, AllocateResponse answer) {
    }

    private DevicePluginSideBySide() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: DevicePluginSideBySide NVIDIA_PLUGIN BUNDLE_DIR [CALLS] [ROUNDS]");
            System.exit(2);
        }
        int calls = args.length > 2 ? Integer.parseInt(args[2]) : 5_000;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        Path work = Files.createTempDirectory("gpuop-side-by-side");
        Path config = Files.writeString(work.resolve("agent.yaml"), "nodeName: bench\ndevicePlugin:\n  kubeletDir: "
            + DIR + "\nserver:\n  port: 0\nexporter:\n  enabled: false\n");
        // Both with their defaults on this host's driver, found by the dynamic loader; NVIDIA's XID health check and
        // gpuop's health monitor stay on, as each runs in a cluster. gpuop.bench.simulate (a simulator profile) is
        // for trying the harness where there is no GPU, with a stand-in script as the first argument.
        List<String> gpuop = new ArrayList<>(List.of(Path.of(args[1]).resolve("bin/gpuop").toString(), "node-agent",
            "--config", config.toString()));
        String simulate = System.getProperty("gpuop.bench.simulate");
        if (simulate != null) {
            gpuop.addAll(List.of("--simulate", simulate));
        }
        List<Plugin> plugins = new ArrayList<>(List.of(
            new Plugin("nvidia", List.of(args[0], "--kubelet-socket=" + DIR.resolve("kubelet.sock")), Map.of()),
            new Plugin("gpuop", gpuop, Map.of("GPUOP_DRIVER_ROOT", ""))));
        // gpuop.bench.variants: "NAME=OPTION,OPTION;..." adds a gpuop-NAME run with those JVM options after the
        // shipped ones (bin/gpuop's GPUOP_JAVA_OPTS), to weigh a flag change against the shipped agent in one run.
        for (String v : System.getProperty("gpuop.bench.variants", "").split(";")) {
            if (v.contains("=")) {
                String opts = v.substring(v.indexOf('=') + 1).replace(',', ' ');
                plugins.add(new Plugin("gpuop-" + v.substring(0, v.indexOf('=')), gpuop,
                    Map.of("GPUOP_DRIVER_ROOT", "", "GPUOP_JAVA_OPTS", opts)));
            }
        }
        List<Round> results = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            for (Plugin p : plugins) {
                results.add(round(p, calls, work.resolve(p.name() + "-" + r + ".log")));
                System.out.printf("round %d %s done%n", r + 1, p.name());
            }
        }
        report(results, calls);
        System.exit(0);
    }

    private static Round round(Plugin p, int calls, Path log) throws Exception {
        Files.createDirectories(DIR);
        try (KubeletStandIn kubelet = new KubeletStandIn(DIR).start()) {
            ProcessBuilder pb = new ProcessBuilder(p.command()).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(p.env());
            long t0 = System.nanoTime();
            Process proc = pb.start();
            try {
                KubeletStandIn.Registration reg = awaitRegistration(kubelet, 0, proc, log);
                double registeredMs = (System.nanoTime() - t0) / 1e6;
                List<Device> devices = kubelet.awaitDevices(GPU, d -> !d.isEmpty(), Duration.ofSeconds(30));
                List<String> one = List.of(devices.getFirst().getID());
                AllocateResponse answer = kubelet.allocate(GPU, one);
                double[][] lat = allocateLatency(kubelet, reg.request().getEndpoint(), one, calls);
                double[] rereg = reRegistration(kubelet, proc, log);
                // past the agent's native heap trim (every 10 s), as AgentMemory reads it; the same wait for both
                Thread.sleep(12_000);
                long rss = rssKib(proc.pid());
                return new Round(p.name(), registeredMs, lat[0], lat[1], rereg, rss, answer);
            } finally {
                proc.destroy();
                proc.waitFor();
            }
        }
    }

    private static KubeletStandIn.Registration awaitRegistration(KubeletStandIn kubelet, int before, Process proc,
                                                                 Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (kubelet.registrations().size() == before) {
            if (!proc.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the plugin did not register (alive: " + proc.isAlive()
                    + "); its log:\n" + Files.readString(log));
            }
            Thread.sleep(1);
        }
        return kubelet.registrations().getLast();
    }

    /** Allocate and PreStartContainer (the transport's floor) alternated on the plugin's socket, after a warm-up. */
    private static double[][] allocateLatency(KubeletStandIn kubelet, String endpoint, List<String> ids, int calls) {
        ManagedChannel ch = UnixGrpc.connect(DIR.resolve(endpoint));
        try {
            var stub = DevicePluginGrpc.newBlockingStub(ch);
            PreStartContainerRequest noop = PreStartContainerRequest.newBuilder().addAllDevicesIds(ids).build();
            for (int i = 0; i < 2_000; i++) {
                kubelet.allocate(GPU, ids);
                stub.preStartContainer(noop);
            }
            double[] alloc = new double[calls];
            double[] floor = new double[calls];
            for (int i = 0; i < calls; i++) {
                long t0 = System.nanoTime();
                kubelet.allocate(GPU, ids);
                long t1 = System.nanoTime();
                stub.preStartContainer(noop);
                long t2 = System.nanoTime();
                alloc[i] = (t1 - t0) / 1000.0;
                floor[i] = (t2 - t1) / 1000.0;
            }
            return new double[][] {alloc, floor};
        } finally {
            ch.shutdownNow();
        }
    }

    private static double[] reRegistration(KubeletStandIn kubelet, Process proc, Path log) throws Exception {
        double[] ms = new double[RESTARTS];
        for (int i = 0; i < ms.length; i++) {
            int before = kubelet.registrations().size();
            Instant restarted = kubelet.restart();
            Instant registered = awaitRegistration(kubelet, before, proc, log).at();
            ms[i] = Duration.between(restarted, registered).toNanos() / 1e6;
            kubelet.awaitDevices(GPU, d -> !d.isEmpty(), Duration.ofSeconds(30));
        }
        return ms;
    }

    private static void report(List<Round> rounds, int calls) {
        System.out.printf("%nDevice plugins side by side, %d Allocate calls (1 GPU) per round, %d kubelet restarts%n",
            calls, RESTARTS);
        System.out.printf("%-7s %-13s %14s %14s %14s %14s %16s %9s%n", "round", "plugin", "registered ms",
            "allocate p50", "allocate p99", "noop p50/p99", "re-register p50", "RSS MiB");
        Map<String, List<Round>> by = new LinkedHashMap<>();
        for (int i = 0; i < rounds.size(); i++) {
            Round r = rounds.get(i);
            by.computeIfAbsent(r.plugin(), k -> new ArrayList<>()).add(r);
            System.out.printf("%-7d %-13s %14.1f %11.1f us %11.1f us %7.1f/%.1f us %13.2f ms %9.1f%n",
                by.get(r.plugin()).size(), r.plugin(), r.registeredMs(), Percentiles.pct(r.allocateUs(), 0.5),
                Percentiles.pct(r.allocateUs(), 0.99), Percentiles.pct(r.floorUs(), 0.5),
                Percentiles.pct(r.floorUs(), 0.99), median(r.reRegisterMs()), r.rssKib() / 1024.0);
        }
        Round n = merged(by.get("nvidia"));
        for (String name : by.keySet()) {
            if (name.equals("nvidia")) {
                continue;
            }
            Round g = merged(by.get(name));
            System.out.printf("all rounds: allocate p50 %s/nvidia %.2fx, p99 %.2fx; re-registration p50 %.2fx, "
                    + "max %.2fx; registration from process start %.2fx; RSS %.2fx%n", name,
                ratio(g.allocateUs(), n.allocateUs(), 0.5), ratio(g.allocateUs(), n.allocateUs(), 0.99),
                ratio(g.reRegisterMs(), n.reRegisterMs(), 0.5), ratio(g.reRegisterMs(), n.reRegisterMs(), 1.0),
                g.registeredMs() / n.registeredMs(), (double) g.rssKib() / n.rssKib());
        }
        System.out.println();
        System.out.print(AllocateAnswers.compare(n.answer(), merged(by.get("gpuop")).answer()));
    }

    /** The rounds of one plugin as one sample: latencies pooled, registration and RSS as the median round's. */
    private static Round merged(List<Round> rs) {
        double[] reg = rs.stream().mapToDouble(Round::registeredMs).toArray();
        long[] rss = rs.stream().mapToLong(Round::rssKib).sorted().toArray();
        return new Round(rs.getFirst().plugin(), median(reg), pool(rs, Round::allocateUs), pool(rs, Round::floorUs),
            pool(rs, Round::reRegisterMs), rss[rss.length / 2], rs.getFirst().answer());
    }

    private static double[] pool(List<Round> rs, java.util.function.Function<Round, double[]> f) {
        return rs.stream().flatMapToDouble(r -> Arrays.stream(f.apply(r))).toArray();
    }

    private static double ratio(double[] a, double[] b, double q) {
        return Percentiles.pct(a, q) / Percentiles.pct(b, q);
    }

    private static double median(double[] v) {
        return Percentiles.pct(v, 0.5);
    }

    private static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IOException("no VmRSS for " + pid);
    }
}
