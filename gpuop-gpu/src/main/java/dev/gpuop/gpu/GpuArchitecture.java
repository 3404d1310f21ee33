package dev.gpuop.gpu;

import java.util.Arrays;

/** NVML's {@code nvmlDeviceArchitecture_t}: the chip generation as the driver names it. */
public enum GpuArchitecture {
    KEPLER(2), MAXWELL(3), PASCAL(4), VOLTA(5), TURING(6), AMPERE(7), ADA(8), HOPPER(9), BLACKWELL(10), RUBIN(13),
    UNKNOWN(-1);

    private final int nvmlValue;

    GpuArchitecture(int nvmlValue) {
        this.nvmlValue = nvmlValue;
    }

    /** The value NVML returns for this architecture. */
    public int nvmlValue() {
        return nvmlValue;
    }

    /** Maps NVML's value; values newer than this build are {@link #UNKNOWN}. */
    public static GpuArchitecture fromNvml(int value) {
        return Arrays.stream(values()).filter(a -> a.nvmlValue == value).findFirst().orElse(UNKNOWN);
    }
}
