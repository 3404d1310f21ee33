package dev.gpuop.node.exporter;

import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.GpuReadings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * dcgm-exporter's exposition, written here rather than by the Prometheus Java client because that client names every
 * counter {@code <name>_total} and dcgm-exporter's counters have no suffix: dashboards query
 * {@code DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION}, typed counter (ADR 0012). Each series carries dcgm-exporter's labels in
 * its order: {@code gpu, UUID, pci_bus_id, device, modelName, Hostname, DCGM_FI_DRIVER_VERSION}, then, for a GPU a
 * container holds, {@code container, namespace, pod} (left off otherwise, as dcgm-exporter 3.3+ does).
 */
public final class DcgmExposition {

    /** The Prometheus text format this writes. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final GpuHost host;
    private final Function<String, GpuReadings> slow;
    private final Supplier<Map<String, PodDevices.PodRef>> pods;
    private final Function<String, Long> lastXid;
    private final List<String> baseLabels;

    /**
     * @param slow the last slow readings of a GPU by UUID (null before the first)
     * @param pods which container holds which GPU
     * @param lastXid the last XID of a GPU by UUID (null: none since the agent started)
     */
    public DcgmExposition(GpuHost host, String hostname, Function<String, GpuReadings> slow,
                          Supplier<Map<String, PodDevices.PodRef>> pods, Function<String, Long> lastXid) {
        this.host = host;
        this.slow = slow;
        this.pods = pods;
        this.lastXid = lastXid;
        List<String> base = new ArrayList<>();
        for (Gpu gpu : host.gpus()) {
            base.add(baseLabels(gpu.info(), hostname, host.driverVersion()));
        }
        this.baseLabels = List.copyOf(base);
    }

    private static String baseLabels(GpuInfo info, String hostname, String driverVersion) {
        StringBuilder b = new StringBuilder();
        label(b, "gpu", Integer.toString(info.index()));
        label(b, "UUID", info.uuid());
        label(b, "pci_bus_id", info.pciBusId());
        label(b, "device", "nvidia" + info.minorNumber());
        label(b, "modelName", info.name());
        if (hostname != null && !hostname.isEmpty()) {
            label(b, "Hostname", hostname);
        }
        label(b, DcgmFields.DRIVER_VERSION_LABEL, driverVersion);
        return b.toString();
    }

    /** One scrape: the fast readings of every GPU now, the slow ones as last sampled. */
    public String render() {
        List<Gpu> gpus = host.gpus();
        Map<String, PodDevices.PodRef> holders = pods.get();
        int n = gpus.size();
        GpuReadings[] readings = new GpuReadings[n];
        String[] labels = new String[n];
        for (int i = 0; i < n; i++) {
            Gpu gpu = gpus.get(i);
            String uuid = gpu.info().uuid();
            try {
                readings[i] = GpuReadings.fast(gpu).or(slow.apply(uuid));
            } catch (RuntimeException e) {
                continue; // a GPU in trouble: its health is the device plugin's job; the others still report
            }
            PodDevices.PodRef pod = holders.get(uuid);
            labels[i] = baseLabels.get(i); // a host's GPUs are fixed once it is open
            if (pod != null) {
                StringBuilder b = new StringBuilder(labels[i]);
                label(b, "container", pod.container());
                label(b, "namespace", pod.namespace());
                label(b, "pod", pod.pod());
                labels[i] = b.toString();
            }
        }
        StringBuilder out = new StringBuilder(4096 + n * 2048);
        for (DcgmField f : DcgmFields.READ) {
            header(out, f.name(), f.help(), f.type().id());
            for (int i = 0; i < n; i++) {
                Number v = readings[i] == null ? null : f.value().apply(readings[i]);
                if (v != null) {
                    out.append(f.name()).append('{').append(labels[i]).append("} ");
                    number(out, v);
                    out.append('\n');
                }
            }
        }
        header(out, DcgmFields.XID_ERRORS, DcgmFields.XID_HELP, "gauge");
        for (int i = 0; i < n; i++) {
            if (labels[i] == null) {
                continue;
            }
            Long xid = lastXid.apply(gpus.get(i).info().uuid());
            long code = xid == null ? 0 : xid;
            StringBuilder l = new StringBuilder(labels[i]);
            label(l, "err_code", Long.toString(code));
            label(l, "err_msg", XidCodes.text(code));
            out.append(DcgmFields.XID_ERRORS).append('{').append(l).append("} ").append(code).append('\n');
        }
        return out.toString();
    }

    private static void header(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n"))
            .append('\n').append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** Integers as integers; fractions as Java writes doubles, which Prometheus's parser reads. */
    private static void number(StringBuilder out, Number v) {
        if (v instanceof Double d) {
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                out.append((long) d.doubleValue());
            } else {
                out.append(d.doubleValue());
            }
        } else {
            out.append(v.longValue());
        }
    }

    private static void label(StringBuilder b, String name, String value) {
        if (!b.isEmpty()) {
            b.append(',');
        }
        b.append(name).append("=\"");
        String v = value == null ? "" : value;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\n' -> b.append("\\n");
                default -> b.append(c);
            }
        }
        b.append('"');
    }
}
