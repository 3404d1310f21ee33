package dev.gpuop.gpu.host;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads the host's view of its GPUs from sysfs and procfs, with no driver library: this is what tells a user
 * "GPU present, driver missing" instead of "NVML not found". Every path is under a root, so tests (and a node
 * agent that mounts the host's / at /host) can point it elsewhere.
 */
public final class HostProbe {

    private static final String NVIDIA_VENDOR = "0x10de";
    /** The EFI variable that holds the Secure Boot flag: 4 attribute bytes, then 1 = on. */
    private static final String SECURE_BOOT_VAR =
        "sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c";

    private final Path root;

    public HostProbe(Path root) {
        this.root = root;
    }

    /** The probe of this machine's own root. */
    public static HostProbe ofThisHost() {
        return new HostProbe(Path.of("/"));
    }

    /** Reads everything; a file that cannot be read counts as absent. */
    public HostReport probe() {
        List<String> modules = loadedModules();
        return new HostReport(pciGpus(), procDriverVersion(), modules.contains("nvidia"),
            modules.contains("nouveau"), secureBoot());
    }

    List<PciGpu> pciGpus() {
        Path devices = root.resolve("sys/bus/pci/devices");
        List<PciGpu> gpus = new ArrayList<>();
        if (!Files.isDirectory(devices)) {
            return gpus;
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(devices)) {
            for (Path dev : dir) {
                String vendor = read(dev.resolve("vendor"));
                String cls = read(dev.resolve("class"));
                if (NVIDIA_VENDOR.equalsIgnoreCase(vendor) && cls != null
                    && (cls.startsWith("0x0300") || cls.startsWith("0x0302"))) {
                    gpus.add(new PciGpu(dev.getFileName().toString(), read(dev.resolve("device")), cls,
                        boundDriver(dev), numa(dev)));
                }
            }
        } catch (IOException e) {
            return gpus;
        }
        gpus.sort(Comparator.comparing(PciGpu::address));
        return gpus;
    }

    String procDriverVersion() {
        String text = read(root.resolve("proc/driver/nvidia/version"));
        return text == null ? null : text.lines().findFirst().orElse(null);
    }

    List<String> loadedModules() {
        String text = read(root.resolve("proc/modules"));
        List<String> names = new ArrayList<>();
        if (text != null) {
            text.lines().map(l -> l.split(" ", 2)[0]).forEach(names::add);
        }
        // A module built into the kernel is absent from /proc/modules but present in /sys/module.
        for (String m : List.of("nvidia", "nouveau")) {
            if (!names.contains(m) && Files.isDirectory(root.resolve("sys/module").resolve(m))) {
                names.add(m);
            }
        }
        return names;
    }

    SecureBoot secureBoot() {
        Path var = root.resolve(SECURE_BOOT_VAR);
        try {
            byte[] bytes = Files.readAllBytes(var);
            return bytes.length >= 5 && bytes[4] == 1 ? SecureBoot.ENABLED : SecureBoot.DISABLED;
        } catch (IOException e) {
            return Files.isDirectory(root.resolve("sys/firmware/efi")) ? SecureBoot.DISABLED : SecureBoot.UNKNOWN;
        }
    }

    private static String boundDriver(Path dev) {
        Path link = dev.resolve("driver");
        try {
            return Files.isSymbolicLink(link) ? Files.readSymbolicLink(link).getFileName().toString() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static int numa(Path dev) {
        String s = read(dev.resolve("numa_node"));
        try {
            return s == null ? -1 : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
