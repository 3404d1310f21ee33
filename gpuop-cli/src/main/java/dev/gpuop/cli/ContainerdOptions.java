package dev.gpuop.cli;

import dev.gpuop.node.toolkit.ContainerdSetup;
import dev.gpuop.gpu.host.Distribution;
import dev.gpuop.node.toolkit.SetupDetector;
import dev.gpuop.node.toolkit.SetupHints;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Which containerd the toolkit step works on. Every flag also reads NVIDIA's toolkit environment names, so a
 * ClusterPolicy's {@code toolkit.env} keeps working; a flag wins over the environment.
 */
final class ContainerdOptions {

    /** The environment the aliases are read from (tests replace it). */
    static Map<String, String> env = System.getenv();

    @Option(names = "--containerd-config", paramLabel = "PATH",
        description = "containerd's config, or on RKE2/K3s its config.toml or template (env CONTAINERD_CONFIG, "
            + "RUNTIME_CONFIG; default: found from the distribution).")
    Path config;

    @Option(names = "--containerd-socket", paramLabel = "PATH",
        description = "containerd's socket (env CONTAINERD_SOCKET, RUNTIME_SOCKET; default: the distribution's).")
    Path socket;

    @Option(names = "--distribution", paramLabel = "NAME", defaultValue = "auto",
        description = "auto, rke2, k3s or containerd (default: ${DEFAULT-VALUE}: from the host's files).")
    String distribution;

    @Option(names = "--containerd-binary", paramLabel = "PATH",
        description = "The containerd binary used to check configs and tell its version (env "
            + "RUNTIME_EXECUTABLE_PATH; default: PATH, or the RKE2/K3s one).")
    Path binary;

    @Option(names = "--host-root", paramLabel = "DIR", defaultValue = "/",
        description = "Where the host's file system is mounted (default: ${DEFAULT-VALUE}).")
    Path hostRoot;

    ContainerdSetup detect() {
        return SetupDetector.detect(hints());
    }

    SetupHints hints() {
        Path cfg = config != null ? config : envPath("CONTAINERD_CONFIG", "RUNTIME_CONFIG");
        Path sock = socket != null ? socket : envPath("CONTAINERD_SOCKET", "RUNTIME_SOCKET");
        Path bin = binary != null ? binary : envPath("RUNTIME_EXECUTABLE_PATH");
        return new SetupHints(cfg, sock, distribution(), bin, hostRoot);
    }

    private Distribution distribution() {
        String d = distribution.toLowerCase(Locale.ROOT);
        if (d.equals("auto")) {
            return null;
        }
        for (Distribution dist : Distribution.values()) {
            if (dist.id().equals(d)) {
                return dist;
            }
        }
        throw new IllegalArgumentException("--distribution must be auto, rke2, k3s or containerd, got " + distribution);
    }

    /** The first set environment variable of the names. */
    static String envValue(String... names) {
        for (String name : names) {
            String v = env.get(name);
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    static Path envPath(String... names) {
        String v = envValue(names);
        return v == null ? null : Path.of(v);
    }

    /** A boolean from the environment ("true"/"1"/"yes"), or the default when none of the names is set. */
    static boolean envFlag(boolean dflt, String... names) {
        String v = envValue(names);
        return v == null ? dflt : v.equalsIgnoreCase("true") || v.equals("1") || v.equalsIgnoreCase("yes");
    }
}
