package dev.gpuop.cli;

import dev.gpuop.gpu.host.HostReport;
import dev.gpuop.gpu.host.PciGpu;
import java.io.PrintWriter;

/** Prints what the host shows without a driver, so "no NVML" comes with "GPU present, driver missing" or not. */
final class HostReportPrinter {

    private HostReportPrinter() {
    }

    static void print(HostReport report, PrintWriter out) {
        out.println("Host: " + report.verdict());
        for (PciGpu g : report.pciGpus()) {
            out.printf("  PCI %s  device %s  class %s  driver %s%n", g.address(), g.deviceId(), g.pciClass(),
                g.boundDriver() == null ? "none" : g.boundDriver());
        }
        out.println("  nvidia module: " + (report.nvidiaModuleLoaded() ? "loaded" : "not loaded")
            + ", nouveau module: " + (report.nouveauModuleLoaded() ? "loaded" : "not loaded")
            + ", secure boot: " + report.secureBoot().name().toLowerCase(java.util.Locale.ROOT));
        if (report.procDriverVersion() != null) {
            out.println("  " + report.procDriverVersion());
        }
        if (report.advice() != null) {
            out.println("  " + report.advice());
        }
        out.flush();
    }
}
