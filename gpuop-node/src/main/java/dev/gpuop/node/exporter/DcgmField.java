package dev.gpuop.node.exporter;

import dev.gpuop.gpu.GpuReadings;
import java.util.function.Function;

/**
 * One GPU metric under dcgm-exporter's name, Prometheus type and help text, with how to get its value from a pass of
 * readings (null when the GPU does not support it: the series is left out, as dcgm-exporter leaves out a blank).
 *
 * @param name e.g. {@code DCGM_FI_DEV_GPU_UTIL}
 * @param type gauge or counter, as dcgm-exporter's counters file types it
 * @param help its help text
 * @param slow read off the scrape path, by {@link GpuSampler}, because NVML takes milliseconds for it on some GPUs
 * @param value the value from a pass of readings, or null
 */
public record DcgmField(String name, Type type, String help, boolean slow, Function<GpuReadings, Number> value) {

    /** The two Prometheus types dcgm-exporter's counters files use for GPU fields. */
    public enum Type {
        GAUGE, COUNTER;

        /** As written on a {@code # TYPE} line. */
        public String id() {
            return this == GAUGE ? "gauge" : "counter";
        }
    }
}
