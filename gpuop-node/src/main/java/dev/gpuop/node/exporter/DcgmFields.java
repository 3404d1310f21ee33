package dev.gpuop.node.exporter;

import dev.gpuop.gpu.GpuReadings;
import dev.gpuop.node.exporter.DcgmField.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The fields gpuop exports: dcgm-exporter's {@code default-counters.csv} in its order wherever NVML can read the
 * field, then the ones NVIDIA's file lists but comments out that gpuop already reads (ECC, throttle reasons, reserved
 * memory). {@code DCGM_FI_DEV_XID_ERRORS} comes from the driver's event stream, not from a reading, and is written by
 * {@link DcgmExposition}. {@link #NOT_READ} says why each remaining default field is absent.
 */
public final class DcgmFields {

    private static final double MIB = 1024.0 * 1024.0;

    /** The XID field: a gauge of the last XID, labelled with its code and text. */
    public static final String XID_ERRORS = "DCGM_FI_DEV_XID_ERRORS";
    /** Its help text, as dcgm-exporter's. */
    public static final String XID_HELP = "Value of the last XID error encountered.";
    /** The driver version, a label on every series (NVIDIA's operator lists it as a label field). */
    public static final String DRIVER_VERSION_LABEL = "DCGM_FI_DRIVER_VERSION";

    /** Fields read from NVML, in dcgm-exporter's order. */
    public static final List<DcgmField> READ;

    /**
     * Default fields not exported, with why: the profiling (DCP) fields need DCGM's profiling module or NVML's GPM
     * sampling, the vGPU licence exists only in vGPU guests, NVLink bandwidth and PCIe throughput need sampling
     * windows that NVML does not keep.
     */
    public static final Map<String, String> NOT_READ = Map.of(
        "DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL", "needs DCGM's NVLink counters sampled over a window; not in NVML",
        "DCGM_FI_DEV_VGPU_LICENSE_STATUS", "exists only in a vGPU guest; gpuop manages bare-metal and passthrough GPUs",
        "DCGM_FI_DEV_PCIE_TX_THROUGHPUT", "replaced by DCGM_FI_PROF_PCIE_TX_BYTES in dcgm-exporter 3.3.7",
        "DCGM_FI_DEV_PCIE_RX_THROUGHPUT", "replaced by DCGM_FI_PROF_PCIE_RX_BYTES in dcgm-exporter 3.3.7",
        "DCGM_FI_PROF_PCIE_TX_BYTES", "a DCGM profiling field (DCP); not read by gpuop yet",
        "DCGM_FI_PROF_PCIE_RX_BYTES", "a DCGM profiling field (DCP); not read by gpuop yet",
        "DCGM_FI_PROF_GR_ENGINE_ACTIVE", "a DCGM profiling field (DCP); not read by gpuop yet",
        "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", "a DCGM profiling field (DCP); not read by gpuop yet",
        "DCGM_FI_PROF_DRAM_ACTIVE", "a DCGM profiling field (DCP); not read by gpuop yet");

    static {
        List<DcgmField> f = new ArrayList<>();
        f.add(fast("DCGM_FI_DEV_SM_CLOCK", Type.GAUGE, "SM clock frequency (in MHz).", GpuReadings::smClockMhz));
        f.add(fast("DCGM_FI_DEV_MEM_CLOCK", Type.GAUGE, "Memory clock frequency (in MHz).",
            GpuReadings::memoryClockMhz));
        f.add(fast("DCGM_FI_DEV_MEMORY_TEMP", Type.GAUGE, "Memory temperature (in C).",
            GpuReadings::memoryTemperatureCelsius));
        f.add(fast("DCGM_FI_DEV_GPU_TEMP", Type.GAUGE, "GPU temperature (in C).", GpuReadings::temperatureCelsius));
        f.add(fast("DCGM_FI_DEV_POWER_USAGE", Type.GAUGE, "Power draw (in W).",
            r -> r.powerMilliwatts() == null ? null : r.powerMilliwatts() / 1000.0));
        f.add(slow("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", Type.COUNTER, "Total energy consumption since boot (in mJ).",
            GpuReadings::totalEnergyMillijoules));
        f.add(slow("DCGM_FI_DEV_PCIE_REPLAY_COUNTER", Type.COUNTER, "Total number of PCIe retries.",
            GpuReadings::pcieReplayCounter));
        f.add(fast("DCGM_FI_DEV_GPU_UTIL", Type.GAUGE, "GPU utilization (in %).",
            r -> r.utilization() == null ? null : r.utilization().gpuPercent()));
        f.add(fast("DCGM_FI_DEV_MEM_COPY_UTIL", Type.GAUGE, "Memory utilization (in %).",
            r -> r.utilization() == null ? null : r.utilization().memoryPercent()));
        f.add(fast("DCGM_FI_DEV_ENC_UTIL", Type.GAUGE, "Encoder utilization (in %).",
            GpuReadings::encoderUtilization));
        f.add(fast("DCGM_FI_DEV_DEC_UTIL", Type.GAUGE, "Decoder utilization (in %).",
            GpuReadings::decoderUtilization));
        f.add(fast("DCGM_FI_DEV_FB_FREE", Type.GAUGE, "Framebuffer memory free (in MiB).",
            r -> r.memory() == null ? null : r.memory().freeBytes() / MIB));
        f.add(fast("DCGM_FI_DEV_FB_USED", Type.GAUGE, "Framebuffer memory used (in MiB).",
            r -> r.memory() == null ? null : r.memory().usedBytes() / MIB));
        f.add(slow("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", Type.COUNTER,
            "Number of remapped rows for uncorrectable errors",
            r -> r.remappedRows() == null ? null : r.remappedRows().uncorrected()));
        f.add(slow("DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", Type.COUNTER,
            "Number of remapped rows for correctable errors",
            r -> r.remappedRows() == null ? null : r.remappedRows().corrected()));
        f.add(slow("DCGM_FI_DEV_ROW_REMAP_FAILURE", Type.GAUGE, "Whether remapping of rows has failed",
            r -> r.remappedRows() == null ? null : r.remappedRows().failed() ? 1 : 0));
        // commented out in NVIDIA's default file; gpuop reads them anyway, so it exports them
        f.add(fast("DCGM_FI_DEV_FB_RESERVED", Type.GAUGE, "Framebuffer memory reserved (in MiB).",
            r -> r.memory() == null ? null : r.memory().reservedBytes() / MIB));
        f.add(slow("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", Type.COUNTER, "Total number of single-bit volatile ECC errors.",
            r -> r.eccErrors() == null ? null : r.eccErrors().correctedVolatile()));
        f.add(slow("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", Type.COUNTER, "Total number of double-bit volatile ECC errors.",
            r -> r.eccErrors() == null ? null : r.eccErrors().uncorrectedVolatile()));
        f.add(slow("DCGM_FI_DEV_ECC_SBE_AGG_TOTAL", Type.COUNTER, "Total number of single-bit persistent ECC errors.",
            r -> r.eccErrors() == null ? null : r.eccErrors().correctedAggregate()));
        f.add(slow("DCGM_FI_DEV_ECC_DBE_AGG_TOTAL", Type.COUNTER, "Total number of double-bit persistent ECC errors.",
            r -> r.eccErrors() == null ? null : r.eccErrors().uncorrectedAggregate()));
        f.add(fast("DCGM_FI_DEV_CLOCK_THROTTLE_REASONS", Type.GAUGE, "Current clock throttle reasons (bit mask).",
            GpuReadings::throttleReasons));
        READ = List.copyOf(f);
    }

    private DcgmFields() {
    }

    /** Every exported name with its type, the XID field included, in exposition order. */
    public static Map<String, Type> exported() {
        Map<String, Type> out = new LinkedHashMap<>();
        READ.forEach(f -> out.put(f.name(), f.type()));
        out.put(XID_ERRORS, Type.GAUGE);
        return out;
    }

    private static DcgmField fast(String name, Type type, String help, Function<GpuReadings, Number> value) {
        return new DcgmField(name, type, help, false, value);
    }

    private static DcgmField slow(String name, Type type, String help, Function<GpuReadings, Number> value) {
        return new DcgmField(name, type, help, true, value);
    }
}
