package dev.gpuop.cli;

import dev.gpuop.gpu.GpuReadings;
import dev.gpuop.gpu.MigDevice;
import java.io.PrintWriter;

/** The human table of {@code gpuop gpus}: one line per GPU, one indented line per MIG device. */
final class GpuTable {

    private static final String ROW = "%-4s %-24s %-41s %-17s %11s %-4s %-13s %-8s %5s %8s %5s%n";

    private GpuTable() {
    }

    static void print(HostView host, PrintWriter out) {
        out.printf("Driver %s, CUDA %s, %d GPU%s%n", host.driverVersion(), host.cudaDriverVersion(),
            host.gpus().size(), host.gpus().size() == 1 ? "" : "s");
        out.printf(ROW, "IDX", "NAME", "UUID", "BUS ID", "MEMORY", "CC", "FAMILY", "MIG", "TEMP", "POWER", "UTIL");
        for (HostView.GpuView g : host.gpus()) {
            GpuReadings r = g.readings();
            out.printf(ROW, g.index(), g.name(), g.uuid(), g.pciBusId(), g.memoryTotalMiB() + " MiB",
                g.computeCapability(), g.family(), g.migMode().split(" ")[0].replace("not", "n/a"),
                r.temperatureCelsius() == null ? "n/a" : r.temperatureCelsius() + "C",
                r.powerMilliwatts() == null ? "n/a" : String.format("%.1fW", r.powerMilliwatts() / 1000.0),
                r.utilization() == null ? "n/a" : r.utilization().gpuPercent() + "%");
            for (MigDevice m : g.migDevices()) {
                out.printf("  MIG %-2d %-12s %-41s GI %-3d CI %-3d %6d MiB %4d SMs%n", m.index(), m.profile(),
                    m.uuid(), m.gpuInstanceId(), m.computeInstanceId(), m.memoryMiB(), m.multiprocessorCount());
            }
            if (!g.nvLinkPeers().isEmpty()) {
                out.printf("  NVLink peers: %s%n", g.nvLinkPeers().stream()
                    .map(p -> "GPU " + p.peerIndex() + " (" + p.links() + " links)").toList());
            }
        }
        out.flush();
    }
}
