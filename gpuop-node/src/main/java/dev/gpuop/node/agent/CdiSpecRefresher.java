package dev.gpuop.node.agent;

import dev.gpuop.gpu.DriverRoot;
import dev.gpuop.node.cdi.CdiOptions;
import dev.gpuop.node.cdi.CdiSpec;
import dev.gpuop.node.cdi.CdiSpecWriter;
import dev.gpuop.node.cdi.HostCdiSpec;
import dev.gpuop.node.toolkit.FileChange;
import dev.gpuop.node.toolkit.SafeFileWriter;
import dev.gpuop.node.toolkit.ToolkitState;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the node's CDI spec true to its driver. The toolkit step writes it once before the agent starts; a driver
 * that is upgraded, or a driver container that comes up later, changes the libraries' names and paths, and a spec
 * that names files which are gone makes every GPU container fail to start. A cheap fingerprint of the driver (its
 * /proc version, which root holds it, its library file names) is read on a timer; only when it changes is the spec
 * generated again, and written (atomically: a temp file renamed over it) only when its text differs. Where gpuop's
 * toolkit step is installed (its record exists), the record follows, so that uninstall still removes the spec.
 */
final class CdiSpecRefresher implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CdiSpecRefresher.class.getName());

    private final Path hostMount;
    private final Path procRoot;
    private final String driverRootOnHost;
    private final String devRootOnHost;
    private final String simulate;
    private final Path specDir;
    private final Path toolkitStateDir;
    private ScheduledExecutorService timer;
    private String lastFingerprint;

    CdiSpecRefresher(Path hostMount, Path procRoot, String simulate, Path specDir, Path toolkitStateDir) {
        this(hostMount, procRoot, null, null, simulate, specDir, toolkitStateDir);
    }

    /** With NVIDIA's driver and device roots, host paths ({@code NVIDIA_DRIVER_ROOT}, {@code NVIDIA_DEV_ROOT}). */
    CdiSpecRefresher(Path hostMount, Path procRoot, String driverRootOnHost, String devRootOnHost, String simulate,
                     Path specDir, Path toolkitStateDir) {
        this.hostMount = hostMount;
        this.procRoot = procRoot;
        this.driverRootOnHost = driverRootOnHost;
        this.devRootOnHost = devRootOnHost;
        this.simulate = simulate;
        this.specDir = specDir;
        this.toolkitStateDir = toolkitStateDir;
    }

    /** Refreshes now, then on every interval. */
    void start(Duration interval) {
        refreshQuietly();
        timer = AgentTimers.daemon("cdi-spec-refresh");
        timer.scheduleWithFixedDelay(this::refreshQuietly, interval.toMillis(), interval.toMillis(),
            TimeUnit.MILLISECONDS);
    }

    /** Writes the spec again now: the MIG devices changed, which the driver's fingerprint does not show. */
    void migLayoutChanged() {
        lastFingerprint = null;
        refreshQuietly();
    }

    private void refreshQuietly() {
        try {
            Path written = refresh();
            if (written != null) {
                LOG.log(System.Logger.Level.INFO, "CDI spec written: {0}", written);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "CDI spec not refreshed: " + e.getMessage());
        }
    }

    /** Generates the spec when the driver changed and writes it when its text differs; the file written, or null. */
    Path refresh() throws IOException {
        CdiOptions options = CdiOptions.mountedHost(hostMount, procRoot, driverRootOnHost, devRootOnHost);
        String fingerprint = fingerprint(options.driverRoot());
        if (fingerprint.equals(lastFingerprint)) {
            return null;
        }
        if (!HostCdiSpec.driverPresent(options, simulate)) {
            lastFingerprint = fingerprint;
            return null;
        }
        CdiSpec spec = HostCdiSpec.generate(options, simulate);
        Path file = specDir.resolve(spec.fileBaseName() + ".json");
        String text = CdiSpecWriter.json(spec);
        String before = Files.exists(file) ? Files.readString(file) : null;
        lastFingerprint = fingerprint;
        if (text.equals(before)) {
            return null;
        }
        ToolkitState state = ToolkitState.read(toolkitStateDir);
        if (!state.isEmpty()) {
            // gpuop's toolkit is installed here, so the spec is its file too (also one the toolkit step could not
            // write for want of a driver): the record first, as the toolkit step does, so that uninstall removes it
            state.with(List.of(new FileChange(file, before, text)), List.of()).write(toolkitStateDir);
        }
        SafeFileWriter.write(file, text);
        return file;
    }

    /** What changes when the driver does: its version, which root holds it, its library files. */
    String fingerprint() throws IOException {
        return fingerprint(CdiOptions.mountedHost(hostMount, procRoot, driverRootOnHost, devRootOnHost).driverRoot());
    }

    private String fingerprint(Path root) throws IOException {
        List<String> parts = new ArrayList<>();
        Path version = procRoot.resolve("driver/nvidia/version");
        parts.add(Files.exists(version) ? Files.readString(version) : "no driver");
        parts.add(root.toString());
        for (String dir : DriverRoot.LIB_DIRS) {
            Path d = DriverRoot.under(root, dir);
            if (Files.isDirectory(d)) {
                try (DirectoryStream<Path> libs = Files.newDirectoryStream(d, "lib{nvidia,cuda}*.so*")) {
                    libs.forEach(p -> parts.add(p.getFileName().toString()));
                }
            }
        }
        return String.join("\n", parts);
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
