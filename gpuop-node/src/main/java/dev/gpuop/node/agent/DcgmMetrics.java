package dev.gpuop.node.agent;

import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.GpuReadings;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * GPU metrics with dcgm-exporter's names, units and labels ({@code DCGM_FI_DEV_GPU_UTIL{gpu, UUID, device,
 * modelName, Hostname}}), so Grafana dashboards built on NVIDIA's exporter read them unchanged. Read from NVML at
 * scrape time, one pass per GPU per scrape. A reading the GPU does not support is left out, as dcgm-exporter does.
 */
public final class DcgmMetrics implements MultiCollector {

    private static final double MIB = 1024.0 * 1024.0;
    /** Name → (help, value from one pass of readings; null when unsupported). */
    private static final Map<String, Metric> METRICS = new LinkedHashMap<>();

    static {
        put("DCGM_FI_DEV_GPU_UTIL", "GPU utilization (in %).",
            r -> r.utilization() == null ? null : (double) r.utilization().gpuPercent());
        put("DCGM_FI_DEV_MEM_COPY_UTIL", "Memory utilization (in %).",
            r -> r.utilization() == null ? null : (double) r.utilization().memoryPercent());
        put("DCGM_FI_DEV_FB_USED", "Framebuffer memory used (in MiB).",
            r -> r.memory() == null ? null : r.memory().usedBytes() / MIB);
        put("DCGM_FI_DEV_FB_FREE", "Framebuffer memory free (in MiB).",
            r -> r.memory() == null ? null : r.memory().freeBytes() / MIB);
        put("DCGM_FI_DEV_GPU_TEMP", "GPU temperature (in C).",
            r -> r.temperatureCelsius() == null ? null : r.temperatureCelsius().doubleValue());
        put("DCGM_FI_DEV_POWER_USAGE", "Power draw (in W).",
            r -> r.powerMilliwatts() == null ? null : r.powerMilliwatts() / 1000.0);
        put("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", "Total energy consumption since boot (in mJ).",
            r -> r.totalEnergyMillijoules() == null ? null : r.totalEnergyMillijoules().doubleValue());
        put("DCGM_FI_DEV_SM_CLOCK", "SM clock frequency (in MHz).",
            r -> r.smClockMhz() == null ? null : r.smClockMhz().doubleValue());
        put("DCGM_FI_DEV_MEM_CLOCK", "Memory clock frequency (in MHz).",
            r -> r.memoryClockMhz() == null ? null : r.memoryClockMhz().doubleValue());
        put("DCGM_FI_DEV_PCIE_REPLAY_COUNTER", "Total number of PCIe retries.",
            r -> r.pcieReplayCounter() == null ? null : r.pcieReplayCounter().doubleValue());
    }

    private record Metric(String help, Function<GpuReadings, Double> value) {
    }

    private static void put(String name, String help, Function<GpuReadings, Double> value) {
        METRICS.put(name, new Metric(help, value));
    }

    private final GpuHost host;
    private final String hostname;

    public DcgmMetrics(GpuHost host, String hostname) {
        this.host = host;
        this.hostname = hostname == null ? "" : hostname;
    }

    @Override
    public MetricSnapshots collect() {
        Map<String, GaugeSnapshot.Builder> out = new LinkedHashMap<>();
        METRICS.forEach((name, m) -> out.put(name, GaugeSnapshot.builder().name(name).help(m.help())));
        for (Gpu gpu : host.gpus()) {
            GpuReadings r;
            try {
                r = GpuReadings.read(gpu);
            } catch (RuntimeException e) {
                continue; // a GPU in trouble: its health is the device plugin's job; the others still report
            }
            Labels labels = labels(gpu.info());
            METRICS.forEach((name, m) -> {
                Double v = m.value().apply(r);
                if (v != null) {
                    out.get(name).dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(v)
                        .build());
                }
            });
        }
        List<GaugeSnapshot> snapshots = new ArrayList<>();
        out.values().forEach(b -> snapshots.add(b.build()));
        return new MetricSnapshots(snapshots.toArray(GaugeSnapshot[]::new));
    }

    private Labels labels(GpuInfo info) {
        return Labels.of("gpu", Integer.toString(info.index()), "UUID", info.uuid(), "device",
            "nvidia" + info.minorNumber(), "modelName", info.name(), "pci_bus_id", info.pciBusId(), "Hostname",
            hostname);
    }

    @Override
    public List<String> getPrometheusNames() {
        return List.copyOf(METRICS.keySet());
    }
}
