package dev.gpuop.node.toolkit;

import dev.gpuop.gpu.host.Distribution;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Finds which containerd runs here and which files configure it, from the operator's hints and the host's files:
 * a hint naming a path under {@code /var/lib/rancher/<dist>/} or a K3s/RKE2 agent dir on the host means K3s/RKE2,
 * anything else plain containerd.
 */
public final class SetupDetector {

    /** The template K3s/RKE2 read for containerd 2.x (config version 3). */
    public static final String TEMPLATE_V3 = "config-v3.toml.tmpl";
    /** The template K3s/RKE2 read for containerd 1.x (config version 2). */
    public static final String TEMPLATE_V2 = "config.toml.tmpl";

    private SetupDetector() {
    }

    /** Detects the setup. */
    public static ContainerdSetup detect(SetupHints hints) {
        Distribution dist = hints.distribution() != null ? hints.distribution() : distribution(hints);
        Path config = hints.config() != null ? hints.config() : hostPath(hints, dist.containerdConfig());
        Path template = null;
        if (dist.rendersConfig()) {
            Path dir = config.toAbsolutePath().getParent();
            if (config.getFileName().toString().endsWith(".tmpl")) {
                template = config;
                config = dir.resolve("config.toml");
            } else {
                template = chooseTemplate(dir, config);
            }
        }
        Path socket = hints.socket() != null ? hints.socket() : Path.of(dist.containerdSocket());
        if (hints.binary() != null && !Files.isExecutable(hints.binary())) {
            throw new ToolkitException(hints.binary(), "not an executable containerd binary",
                "fix the path given by --containerd-binary (RUNTIME_EXECUTABLE_PATH) or leave it out");
        }
        Path binary = hints.binary() != null ? hints.binary() : findBinary(dist, hints.hostRoot());
        ContainerdVersion version = binary == null ? null : versionOf(binary);
        return new ContainerdSetup(dist, config, template, socket, binary, version);
    }

    static Distribution distribution(SetupHints hints) {
        String hinted = hints.config() == null ? "" : hints.config().toString();
        if (hinted.contains("/rancher/rke2/")) {
            return Distribution.RKE2;
        }
        if (hinted.contains("/rancher/k3s/")) {
            return Distribution.K3S;
        }
        if (hints.config() != null) {
            return Distribution.CONTAINERD;
        }
        for (Distribution d : List.of(Distribution.RKE2, Distribution.K3S)) {
            if (Files.isDirectory(hostPath(hints, d.containerdConfig()).getParent())) {
                return d;
            }
        }
        return Distribution.CONTAINERD;
    }

    /** The existing template, v3 first as K3s probes them; else the one matching the rendered config. */
    static Path chooseTemplate(Path dir, Path rendered) {
        for (String name : List.of(TEMPLATE_V3, TEMPLATE_V2)) {
            if (Files.exists(dir.resolve(name))) {
                return dir.resolve(name);
            }
        }
        try {
            String text = Files.exists(rendered) ? Files.readString(rendered) : "";
            return dir.resolve(text.lines().anyMatch(l -> l.matches("\\s*version\\s*=\\s*2\\s*"))
                ? TEMPLATE_V2 : TEMPLATE_V3);
        } catch (IOException e) {
            return dir.resolve(TEMPLATE_V3);
        }
    }

    private static Path hostPath(SetupHints hints, String absolute) {
        return hints.hostRoot().resolve(absolute.substring(1));
    }

    static Path findBinary(Distribution dist, Path hostRoot) {
        List<Path> candidates = new ArrayList<>();
        switch (dist) {
            case RKE2 -> candidates.add(hostRoot.resolve("var/lib/rancher/rke2/bin/containerd"));
            case K3S -> candidates.add(hostRoot.resolve("var/lib/rancher/k3s/data/current/bin/containerd"));
            case CONTAINERD -> {
                String path = System.getenv("PATH");
                for (String dir : (path == null ? "/usr/bin:/usr/local/bin" : path).split(":")) {
                    if (!dir.isEmpty()) {
                        candidates.add(Path.of(dir, "containerd"));
                    }
                }
            }
            default -> throw new IllegalStateException(dist.name());
        }
        return candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
    }

    /** Runs {@code containerd --version}; null when it cannot say. */
    public static ContainerdVersion versionOf(Path binary) {
        try {
            Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            String line = new String(out, StandardCharsets.UTF_8).trim();
            // "containerd github.com/containerd/containerd/v2 v2.4.2 <commit>": the version is the third word
            String[] words = line.split("\\s+");
            return words.length >= 3 ? ContainerdVersion.parse(words[2]) : ContainerdVersion.parse(line);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
