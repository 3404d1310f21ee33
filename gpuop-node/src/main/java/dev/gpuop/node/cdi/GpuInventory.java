package dev.gpuop.node.cdi;

import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.MigDevice;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The driver version and the GPUs, from NVML (through gpuop's {@link GpuHost}) or, where NVML cannot be loaded,
 * from the kernel driver's files in {@code /proc/driver/nvidia} (no MIG devices then).
 *
 * @param driverVersion e.g. {@code 580.159.04}
 * @param gpus by index
 */
public record GpuInventory(String driverVersion, List<CdiGpu> gpus) {

    private static final Pattern NVRM = Pattern.compile("Kernel Module\\s+(?:for \\S+\\s+)?(\\d+\\.\\d+(?:\\.\\d+)?)");

    public GpuInventory {
        gpus = List.copyOf(gpus);
    }

    /** From NVML or a simulated host. */
    public static GpuInventory of(GpuHost host) {
        List<CdiGpu> gpus = new ArrayList<>();
        for (var gpu : host.gpus()) {
            GpuInfo info = gpu.info();
            List<CdiGpu.Mig> migs = new ArrayList<>();
            for (MigDevice m : info.migDevices()) {
                migs.add(new CdiGpu.Mig(m.index(), m.gpuInstanceId(), m.computeInstanceId(), m.uuid()));
            }
            gpus.add(new CdiGpu(info.index(), info.minorNumber(), info.uuid(), info.migEnabled(), migs));
        }
        return new GpuInventory(host.driverVersion(), gpus);
    }

    /**
     * From {@code <proc>/driver/nvidia/version} and {@code <proc>/driver/nvidia/gpus/<bus id>/information}; indexes
     * follow PCI bus order, as NVML's do by default.
     */
    public static GpuInventory fromProc(Path proc) throws IOException {
        Path base = proc.resolve("driver/nvidia");
        Matcher m = NVRM.matcher(Files.readString(base.resolve("version")));
        if (!m.find()) {
            throw new IOException(base.resolve("version") + " names no driver version");
        }
        Map<String, Map<String, String>> byBus = new TreeMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base.resolve("gpus"))) {
            for (Path dir : dirs) {
                byBus.put(dir.getFileName().toString(), fields(dir.resolve("information")));
            }
        }
        List<CdiGpu> gpus = new ArrayList<>();
        for (Map<String, String> f : byBus.values()) {
            gpus.add(new CdiGpu(gpus.size(), Integer.parseInt(f.get("Device Minor")), f.get("GPU UUID"), false,
                List.of()));
        }
        gpus.sort(Comparator.comparingInt(CdiGpu::index));
        return new GpuInventory(m.group(1), gpus);
    }

    private static Map<String, String> fields(Path information) throws IOException {
        Map<String, String> fields = new TreeMap<>();
        for (String line : Files.readAllLines(information)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        if (!fields.containsKey("Device Minor") || !fields.containsKey("GPU UUID")) {
            throw new IOException(information + " lacks 'Device Minor' or 'GPU UUID'");
        }
        return fields;
    }
}
