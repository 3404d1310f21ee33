package dev.gpuop.gpu;

import java.util.function.Supplier;

/**
 * One pass over every live reading of a GPU. A reading the GPU does not support is null; any other driver error
 * propagates, because it means the GPU is in trouble rather than lacking a feature.
 */
public record GpuReadings(Utilization utilization, MemoryInfo memory, Integer temperatureCelsius,
                          Integer powerMilliwatts, Long totalEnergyMillijoules, Integer smClockMhz,
                          Integer memoryClockMhz, EccErrors eccErrors, RemappedRows remappedRows,
                          Integer pcieReplayCounter, Long throttleReasons, Integer memoryTemperatureCelsius,
                          Integer encoderUtilization, Integer decoderUtilization) {

    /** Reads everything from the GPU now. */
    public static GpuReadings read(Gpu gpu) {
        return fast(gpu).or(slow(gpu));
    }

    /** The readings that cost microseconds, for a scrape to read as it happens; the slow ones are null. */
    public static GpuReadings fast(Gpu gpu) {
        return new GpuReadings(
            orNull(gpu::utilization), orNull(gpu::memory), orNull(gpu::temperatureCelsius),
            orNull(gpu::powerMilliwatts), null, orNull(gpu::smClockMhz), orNull(gpu::memoryClockMhz), null, null,
            null, orNull(gpu::throttleReasons), orNull(gpu::memoryTemperatureCelsius),
            orNull(gpu::encoderUtilization), orNull(gpu::decoderUtilization));
    }

    /**
     * The readings that can take milliseconds (energy on some boards, PCIe replay, the four ECC counters, remapped
     * rows), to read off the scrape path; the fast ones are null.
     */
    public static GpuReadings slow(Gpu gpu) {
        return new GpuReadings(null, null, null, null, orNull(gpu::totalEnergyMillijoules), null, null,
            orNull(gpu::eccErrors), orNull(gpu::remappedRows), orNull(gpu::pcieReplayCounter), null, null, null,
            null);
    }

    /** Each reading of this one, or where it is null, {@code other}'s. */
    public GpuReadings or(GpuReadings other) {
        if (other == null) {
            return this;
        }
        return new GpuReadings(
            first(utilization, other.utilization), first(memory, other.memory),
            first(temperatureCelsius, other.temperatureCelsius), first(powerMilliwatts, other.powerMilliwatts),
            first(totalEnergyMillijoules, other.totalEnergyMillijoules), first(smClockMhz, other.smClockMhz),
            first(memoryClockMhz, other.memoryClockMhz), first(eccErrors, other.eccErrors),
            first(remappedRows, other.remappedRows), first(pcieReplayCounter, other.pcieReplayCounter),
            first(throttleReasons, other.throttleReasons),
            first(memoryTemperatureCelsius, other.memoryTemperatureCelsius),
            first(encoderUtilization, other.encoderUtilization), first(decoderUtilization, other.decoderUtilization));
    }

    private static <T> T first(T a, T b) {
        return a != null ? a : b;
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
