package dev.gpuop.node.labels;

import dev.gpuop.gpu.GpuInfo;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What GPU feature discovery reads from the host's files rather than NVML: the machine's DMI product name, the
 * GPUs' PCI class (compute or graphics mode), and whether a GPU is a vGPU (NVIDIA's vendor capability in the PCI
 * config space). Under a host root, so the agent reads the host's {@code /sys} through its mount.
 *
 * @param machine the DMI product name, trimmed, or null when unreadable
 * @param gpuMode {@code compute}, {@code graphics} or {@code unknown}
 * @param vgpuPresent whether a vGPU was found, or null when a GPU's config space could not be read in full
 */
public record HostFacts(String machine, String gpuMode, Boolean vgpuPresent) {

    static final String DMI_PRODUCT = "sys/class/dmi/id/product_name";
    private static final int VENDOR_SPECIFIC_CAPABILITY = 0x09;

    /** Reads them under {@code hostRoot} for these GPUs; a {@code machineTypeFile} overrides the DMI file. */
    public static HostFacts read(Path hostRoot, List<GpuInfo> gpus, Path machineTypeFile) {
        Path machineFile = machineTypeFile != null ? machineTypeFile : hostRoot.resolve(DMI_PRODUCT);
        String machine;
        try {
            machine = Files.readString(machineFile).strip();
        } catch (IOException e) {
            machine = null;
        }
        Path pci = hostRoot.resolve("sys/bus/pci/devices");
        return new HostFacts(machine, mode(pci, gpus), vgpu(pci));
    }

    /** {@code 0x0302xx} 3D controller: compute; {@code 0x0300xx} VGA: graphics; mixed or unreadable: unknown. */
    static String mode(Path pci, List<GpuInfo> gpus) {
        Set<String> modes = new HashSet<>();
        for (GpuInfo g : gpus) {
            try {
                int cls = Integer.decode(Files.readString(pci.resolve(sysfsName(g.pciBusId())).resolve("class"))
                    .strip());
                modes.add(switch (cls) {
                    case 0x030000 -> "graphics";
                    case 0x030200 -> "compute";
                    default -> "unknown";
                });
            } catch (IOException | NumberFormatException e) {
                modes.add("unknown");
            }
        }
        return modes.size() == 1 ? modes.iterator().next() : "unknown";
    }

    /** NVML's {@code 00000000:18:00.0} as sysfs names it, {@code 0000:18:00.0}. */
    static String sysfsName(String nvmlBusId) {
        String id = nvmlBusId.toLowerCase(Locale.ROOT);
        int colon = id.indexOf(':');
        return colon == 8 && id.startsWith("0000") ? id.substring(4) : id;
    }

    /**
     * True when an NVIDIA function's PCI capability list has the vendor-specific capability that marks a vGPU
     * ({@code 'V','F'} in its bytes 3 and 4); null when a config space is shorter than 256 bytes (an unprivileged
     * reader sees 64), as GFD then writes no vGPU label either.
     */
    static Boolean vgpu(Path pci) {
        boolean found = false;
        try (DirectoryStream<Path> devices = Files.newDirectoryStream(pci)) {
            for (Path d : devices) {
                if (!"0x10de".equals(readOrNull(d.resolve("vendor")))) {
                    continue;
                }
                byte[] config = Files.readAllBytes(d.resolve("config"));
                if (config.length < 256) {
                    return null;
                }
                found |= hasVgpuCapability(config);
            }
        } catch (IOException e) {
            return null;
        }
        return found;
    }

    static boolean hasVgpuCapability(byte[] config) {
        if ((config[0x06] & 0x10) == 0) {
            return false; // no capability list
        }
        int at = config[0x34] & 0xfc;
        for (int hops = 0; at != 0 && at + 4 < config.length && hops < 48; hops++) {
            if ((config[at] & 0xff) == VENDOR_SPECIFIC_CAPABILITY && config[at + 3] == 'V' && config[at + 4] == 'F') {
                return true;
            }
            at = config[at + 1] & 0xfc;
        }
        return false;
    }

    private static String readOrNull(Path p) {
        try {
            return Files.readString(p).strip();
        } catch (IOException e) {
            return null;
        }
    }
}
