package dev.gpuop.node.driver;

import dev.gpuop.gpu.DriverRoot;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What gpuop checks in the driver container's init step before a driver container (re)starts on a node (NVIDIA's
 * driver manager's job): a driver installed on the host itself stops it (the seed tutorial's host looped rebooting
 * over a driver container fighting such a driver); processes that hold a GPU open are waited for, never killed
 * (the driver upgrade has deleted the GPU pods before it restarts the driver pod); then the old driver's modules are
 * unloaded, so the new container loads its own.
 */
public final class DriverPrestart {

    /** Where a host's own {@code nvidia-smi} lives, relative to its root. */
    static final List<String> HOST_TOOL_DIRS = List.of("usr/bin", "usr/sbin", "bin", "sbin", "usr/local/bin",
        "usr/local/nvidia/bin");

    /** Unloads one kernel module. */
    @FunctionalInterface
    public interface Unloader {
        /** @throws IOException with the tool's own words when the module stays */
        void unload(String module) throws IOException, InterruptedException;
    }

    /**
     * @param kernelRoot the root whose {@code proc} is the kernel's (the container's own {@code /} with hostPID)
     * @param hostRoot the host's root as mounted in the container
     * @param clientWait how long to wait for GPU processes to end
     * @param poll how often to look again while waiting
     * @param dryRun say what would be unloaded, unload nothing
     */
    public record Settings(Path kernelRoot, Path hostRoot, Duration clientWait, Duration poll, boolean dryRun) {
    }

    private final Settings settings;
    private final Unloader unloader;
    private final long self;

    public DriverPrestart(Settings settings, Unloader unloader, long self) {
        this.settings = settings;
        this.unloader = unloader;
        this.self = self;
    }

    /**
     * Runs the checks, each saying what it found on {@code out}.
     *
     * @return an empty result when the driver container may start, else why not
     */
    public Optional<String> run(PrintWriter out) throws InterruptedException {
        Path proc = settings.kernelRoot().resolve("proc");
        var modules = KernelModules.nvidia(KernelModules.read(proc.resolve("modules")));
        Optional<Path> hostTool = hostDriverTool();
        boolean loaded = !modules.isEmpty() || Files.exists(proc.resolve("driver/nvidia/version"));
        if (loaded && hostTool.isPresent()) {
            return Optional.of("a driver is installed on the host (" + hostTool.get() + ") and loaded: the driver "
                + "container does not start over it; gpuop labels such a node nvidia.com/gpu.deploy.driver="
                + "pre-installed, or set driver.enabled=false");
        }
        if (!loaded) {
            out.println("no NVIDIA kernel module loaded: nothing to stop or unload");
            return Optional.empty();
        }
        out.println("loaded: " + String.join(", ", modules.stream().map(KernelModules.Module::name).toList()));
        List<GpuClients.Client> clients = waitForClients(proc, out);
        if (!clients.isEmpty()) {
            return Optional.of(clients.size() + " process(es) still use the GPUs after "
                + settings.clientWait().toSeconds() + " s: " + clients.stream().limit(10).toList()
                + "; stop them, or let the driver upgrade delete their pods (driver.upgradePolicy)");
        }
        for (KernelModules.Module m : modules) {
            if (settings.dryRun()) {
                out.println("would unload " + m.name());
                continue;
            }
            try {
                unloader.unload(m.name());
                out.println("unloaded " + m.name());
            } catch (IOException e) {
                return Optional.of("cannot unload " + m.name() + " (" + m.references() + " reference(s)"
                    + (m.usedBy().isEmpty() ? "" : ", used by " + String.join(", ", m.usedBy())) + "): "
                    + e.getMessage());
            }
        }
        return Optional.empty();
    }

    private List<GpuClients.Client> waitForClients(Path proc, PrintWriter out) throws InterruptedException {
        long end = System.nanoTime() + settings.clientWait().toNanos();
        List<GpuClients.Client> clients = GpuClients.find(proc, self);
        while (!clients.isEmpty() && System.nanoTime() < end) {
            out.println("waiting for " + clients.size() + " process(es) using the GPUs: " + clients.stream().limit(5)
                .toList());
            out.flush();
            Thread.sleep(settings.poll().toMillis());
            clients = GpuClients.find(proc, self);
        }
        if (clients.isEmpty()) {
            out.println("no process uses the GPUs");
        }
        return clients;
    }

    /** The host's own {@code nvidia-smi}; a driver container's (under /run/nvidia/driver) does not count. */
    private Optional<Path> hostDriverTool() {
        if (Files.isDirectory(settings.hostRoot().resolve(DriverRoot.DRIVER_CONTAINER).resolve("usr"))) {
            return Optional.empty();
        }
        return HOST_TOOL_DIRS.stream().map(d -> settings.hostRoot().resolve(d).resolve("nvidia-smi"))
            .filter(Files::isRegularFile).findFirst();
    }

    /** The unloader of a running system: {@code rmmod} (the image's busybox), its output in the error. */
    public static Unloader rmmod() {
        return module -> {
            Process p = new ProcessBuilder("rmmod", module).redirectErrorStream(true).start();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("rmmod " + module + " did not return in 30 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException("rmmod exited " + p.exitValue() + ": "
                    + new String(output, StandardCharsets.UTF_8).strip());
            }
        };
    }
}
