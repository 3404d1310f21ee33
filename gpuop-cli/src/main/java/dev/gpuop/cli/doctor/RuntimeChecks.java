package dev.gpuop.cli.doctor;

import com.electronwill.nightconfig.core.CommentedConfig;
import dev.gpuop.gpu.DriverRoot;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.node.toolkit.ContainerdSetup;
import dev.gpuop.node.toolkit.ContainerdToml;
import dev.gpuop.node.toolkit.SetupDetector;
import dev.gpuop.node.toolkit.SetupHints;
import dev.gpuop.node.toolkit.TemplateFile;
import dev.gpuop.node.toolkit.ToolkitException;
import dev.gpuop.node.toolkit.ContainerdView;
import dev.gpuop.node.validation.StageResult;
import dev.gpuop.node.validation.ToolkitStage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The seed's runtime steps on a host: NVIDIA's toolkit binaries, the containerd config of the layout found (plain,
 * RKE2 or K3s, template included), the {@code nvidia} handler in containerd's own view, the CDI spec against the
 * GPUs, and the kubelet's device-plugin socket. Reads only; never writes.
 */
final class RuntimeChecks {

    private static final String AREA = "host";
    private static final List<String> NVIDIA_BINARIES = List.of("/usr/bin/nvidia-container-runtime",
        "/usr/bin/nvidia-ctk", "/usr/bin/nvidia-container-cli", "/usr/local/nvidia/toolkit/nvidia-container-runtime");
    private static final Pattern NVIDIA_HANDLER = Pattern.compile("runtimes\\.['\"]?nvidia['\"]?\\s*]");
    private static final List<String> CDI_DIRS = List.of("/var/run/cdi", "/etc/cdi");

    private final SetupHints hints;
    private final Path hostRoot;
    private final String handler;

    /**
     * @param hints which containerd (the toolkit's flags and NVIDIA's env names; paths found under the host root)
     * @param handler the runtime class's handler
     */
    RuntimeChecks(SetupHints hints, String handler) {
        this.hints = hints;
        this.hostRoot = hints.hostRoot();
        this.handler = handler;
    }

    void run(GpuHost gpus, Consumer<Finding> out) {
        out.accept(nvidiaToolkit());
        ContainerdSetup setup;
        try {
            setup = SetupDetector.detect(hints);
        } catch (ToolkitException e) {
            out.accept(Finding.fail(AREA, "containerd-config", e.getMessage(), "fix the flag or env it names"));
            return;
        }
        Path config = setup.config();
        out.accept(config(setup, config));
        out.accept(handler(setup, config));
        out.accept(cdiSpec(gpus));
        out.accept(devicePluginSocket());
    }

    private Finding nvidiaToolkit() {
        List<String> found = NVIDIA_BINARIES.stream().filter(b -> Files.isExecutable(onHost(b))).toList();
        return found.isEmpty()
            ? Finding.skip(AREA, "nvidia-toolkit", "NVIDIA's container toolkit is not installed: gpuop's toolkit "
                + "(toolkit.enabled=true, cdi.enabled=true) does without it")
            : Finding.pass(AREA, "nvidia-toolkit", String.join(", ", found));
    }

    private Finding config(ContainerdSetup setup, Path config) {
        String layout = setup.distribution().id();
        if (setup.template() != null && Files.exists(setup.template())) {
            Path template = setup.template();
            String text = read(template);
            if (!TemplateFile.hasBaseInclude(text)) {
                return Finding.fail(AREA, "containerd-config", layout + ": " + template + " lacks "
                    + TemplateFile.BASE_INCLUDE + ", so " + layout + " renders config.toml from the template alone "
                    + "and drops its own settings (CNI, sandbox image, registries)",
                    "put " + TemplateFile.BASE_INCLUDE + " at the top of " + template + " and restart " + layout
                        + ", or delete the template and let gpuop's toolkit write one");
            }
        }
        if (!Files.exists(config)) {
            return Finding.warn(AREA, "containerd-config", layout + ": no " + config + " (containerd runs its "
                + "defaults, which have no nvidia handler)", layout.equals("containerd")
                ? "containerd config default > /etc/containerd/config.toml, or let gpuop's toolkit write its drop-in"
                : "start " + layout + " once: it writes the file");
        }
        try {
            ContainerdToml.parse(read(config), config);
        } catch (ToolkitException e) {
            return Finding.fail(AREA, "containerd-config", layout + ": " + e.getMessage(),
                "repair the TOML (gpuop's toolkit refuses to edit a broken config and leaves it as it is)");
        }
        return Finding.pass(AREA, "containerd-config", layout + ": " + config + " parses"
            + (setup.template() != null && Files.exists(setup.template())
                ? "; template " + setup.template() + " includes base" : ""));
    }

    private Finding handler(ContainerdSetup setup, Path config) {
        Path socket = hints.socket() != null ? hints.socket() : onHost(setup.distribution().containerdSocket());
        ContainerdView view = ContainerdView.ask(socket, Duration.ofSeconds(3));
        if (view.error() == null) {
            StageResult r = ToolkitStage.check(view, new ToolkitStage.Expected(handler, null, null), null);
            return r.outcome() == StageResult.Outcome.PASSED
                ? Finding.pass(AREA, "containerd-handler", r.reason() + " (asked over " + socket + ")")
                : Finding.fail(AREA, "containerd-handler", r.reason(), "helm upgrade with toolkit.enabled=true "
                    + "cdi.enabled=true, or install NVIDIA's toolkit and run nvidia-ctk runtime configure "
                    + "--runtime=containerd, then restart containerd");
        }
        boolean inFiles = configFiles(config).stream().anyMatch(f -> NVIDIA_HANDLER.matcher(read(f)).find());
        return Finding.warn(AREA, "containerd-handler", view.error() + "; the config files "
            + (inFiles ? "name" : "do not name") + " a handler '" + handler + "'",
            "run gpuop doctor as root on the node (containerd's socket is root's) to see what containerd loaded");
    }

    /** The config and every file its {@code imports} name (globs resolved), as the host sees them. */
    private List<Path> configFiles(Path config) {
        List<Path> files = new ArrayList<>();
        if (!Files.exists(config)) {
            return files;
        }
        files.add(config);
        try {
            CommentedConfig parsed = ContainerdToml.parse(read(config), config);
            Object imports = parsed.get("imports");
            if (imports instanceof List<?> list) {
                for (Object o : list) {
                    Path p = onHost(String.valueOf(o));
                    if (p.getFileName().toString().contains("*")) {
                        try (Stream<Path> s = Files.list(p.getParent())) {
                            String glob = "glob:" + p.getFileName();
                            s.filter(f -> p.getFileSystem().getPathMatcher(glob).matches(f.getFileName()))
                                .forEach(files::add);
                        } catch (IOException e) {
                            // no dir, no imports
                        }
                    } else if (Files.exists(p)) {
                        files.add(p);
                    }
                }
            }
        } catch (ToolkitException e) {
            // reported by the config step
        }
        return files;
    }

    private Finding cdiSpec(GpuHost gpus) {
        List<Path> specs = new ArrayList<>();
        for (String dir : CDI_DIRS) {
            try (Stream<Path> s = Files.list(onHost(dir))) {
                s.filter(p -> p.toString().endsWith(".json") || p.toString().endsWith(".yaml"))
                    .filter(p -> read(p).contains("nvidia.com/gpu")).forEach(specs::add);
            } catch (IOException e) {
                // no such dir
            }
        }
        if (specs.isEmpty()) {
            return Finding.skip(AREA, "cdi-spec", "no CDI spec for nvidia.com/gpu in " + CDI_DIRS + " (gpuop's "
                + "toolkit writes one when cdi.enabled=true; NVIDIA's runtime in legacy mode needs none)");
        }
        if (gpus == null) {
            return Finding.warn(AREA, "cdi-spec", specs + " found, but the GPUs cannot be read to compare",
                "see the nvml step");
        }
        String all = String.join("\n", specs.stream().map(RuntimeChecks::read).toList());
        List<String> missing = gpus.gpus().stream().map(g -> g.info().uuid()).filter(u -> !all.contains(u)).toList();
        return missing.isEmpty()
            ? Finding.pass(AREA, "cdi-spec", specs + " name all " + gpus.gpus().size() + " GPU(s)")
            : Finding.fail(AREA, "cdi-spec", specs + " do not name " + missing,
                "regenerate it: gpuop toolkit cdi generate --output " + specs.getFirst()
                    + " (the node agent does so within 30 s when cdi.enabled=true)");
    }

    private Finding devicePluginSocket() {
        Path dir = onHost("/var/lib/kubelet/device-plugins");
        if (!Files.exists(dir.resolve("kubelet.sock"))) {
            return Finding.skip(AREA, "device-plugin-socket", "no kubelet here (" + dir.resolve("kubelet.sock")
                + " absent)");
        }
        List<String> plugins = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sock") && !n.equals("kubelet.sock"))
                .sorted().forEach(plugins::add);
        } catch (IOException e) {
            // listed as none
        }
        boolean ours = plugins.stream().anyMatch(n -> n.startsWith("gpuop-") || n.startsWith("nvidia"));
        return ours ? Finding.pass(AREA, "device-plugin-socket", "kubelet.sock and " + plugins)
            : Finding.warn(AREA, "device-plugin-socket", "the kubelet's socket is there, no GPU device plugin's"
                + (plugins.isEmpty() ? "" : " (others: " + plugins + ")"),
                "install gpuop's chart; its node agent registers nvidia.com/gpu here");
    }

    private Path onHost(String absolute) {
        return DriverRoot.under(hostRoot, absolute);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
