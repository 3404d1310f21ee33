package dev.gpuop.gpu;

import dev.gpuop.gpu.mig.MigProfileInfo;
import java.util.List;

/**
 * One full GPU. {@link #info()} is read once when the host is opened; the other methods ask the driver each time,
 * so they are what an exporter polls and what the latency benchmark measures. A GPU that has fallen off the bus
 * fails every call with {@link NvmlReturn#ERROR_GPU_IS_LOST}.
 */
public interface Gpu {

    /** What does not change while the driver is loaded: identity, PCI location, capabilities, MIG layout, links. */
    GpuInfo info();

    /** The UUID, asked of the driver now ({@code nvmlDeviceGetUUID}); a cheap liveness probe. */
    String uuid();

    /** GPU and memory-controller utilization over the driver's last sample period. */
    Utilization utilization();

    /** Frame-buffer memory, with NVML v2 semantics (used excludes the driver's reservation). */
    MemoryInfo memory();

    /** Core temperature in degrees Celsius. */
    int temperatureCelsius();

    /** Board power draw in milliwatts. */
    int powerMilliwatts();

    /** Energy used since the driver was loaded, in millijoules. Slow on some GPUs (milliseconds): poll it rarely. */
    long totalEnergyMillijoules();

    /** Memory (HBM) temperature in degrees Celsius, NVML's field {@code NVML_FI_DEV_MEMORY_TEMP}. */
    int memoryTemperatureCelsius();

    /** Video encoder utilization in percent over the driver's sample period. */
    int encoderUtilization();

    /** Video decoder utilization in percent over the driver's sample period. */
    int decoderUtilization();

    /** Current SM clock in MHz. */
    int smClockMhz();

    /** Current memory clock in MHz. */
    int memoryClockMhz();

    /** ECC error counts; fails with NOT_SUPPORTED where ECC is off or absent. */
    EccErrors eccErrors();

    /** Rows remapped by the memory controller (A100 and newer). */
    RemappedRows remappedRows();

    /** PCIe replay counter. Slow on some GPUs (hundreds of microseconds). */
    int pcieReplayCounter();

    /** Why clocks are held down now, as NVML's bit mask; see {@link ThrottleReason}. */
    long throttleReasons();

    /** Every live reading at once, with readings the GPU does not support left null. */
    default GpuReadings readings() {
        return GpuReadings.read(this);
    }

    /**
     * The GPU-instance profiles the driver says this GPU offers, read-only and whatever its MIG mode; empty for a
     * GPU without MIG.
     */
    default List<MigProfileInfo> migProfilesOffered() {
        return List.of();
    }

    /**
     * The calls that change this GPU's MIG layout.
     *
     * @throws GpuException {@code NOT_SUPPORTED} for a GPU without MIG or a host that cannot change it
     */
    default dev.gpuop.gpu.mig.MigControl migControl() {
        throw new GpuException("nvmlDeviceSetMigMode", NvmlReturn.ERROR_NOT_SUPPORTED, "no MIG control here");
    }
}
