package dev.gpuop.gpu;

import java.util.function.Supplier;

/**
 * One pass over every live reading of a GPU. A reading the GPU does not support is null; any other driver error
 * propagates, because it means the GPU is in trouble rather than lacking a feature.
 */
public record GpuReadings(Utilization utilization, MemoryInfo memory, Integer temperatureCelsius,
                          Integer powerMilliwatts, Long totalEnergyMillijoules, Integer smClockMhz,
                          Integer memoryClockMhz, EccErrors eccErrors, RemappedRows remappedRows,
                          Integer pcieReplayCounter, Long throttleReasons) {

    /** Reads everything from the GPU now. */
    public static GpuReadings read(Gpu gpu) {
        return new GpuReadings(
            orNull(gpu::utilization), orNull(gpu::memory), orNull(gpu::temperatureCelsius),
            orNull(gpu::powerMilliwatts), orNull(gpu::totalEnergyMillijoules), orNull(gpu::smClockMhz),
            orNull(gpu::memoryClockMhz), orNull(gpu::eccErrors), orNull(gpu::remappedRows),
            orNull(gpu::pcieReplayCounter), orNull(gpu::throttleReasons));
    }

    /** One reading, or null when the GPU does not support it; other driver errors propagate. */
    public static <T> T orNull(Supplier<T> reading) {
        try {
            return reading.get();
        } catch (GpuException e) {
            if (e.isNotSupported()) {
                return null;
            }
            throw e;
        }
    }
}
