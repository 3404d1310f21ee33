package dev.gpuop.gpu;

/** A CUDA version as the driver reports it: NVML and the CUDA driver API both encode 13.0 as 13000. */
public record CudaVersion(int major, int minor) {

    /** Decodes the driver's integer form ({@code 12050} is 12.5). */
    public static CudaVersion fromInt(int encoded) {
        return new CudaVersion(encoded / 1000, (encoded % 1000) / 10);
    }

    /** The integer form the driver uses. */
    public int encoded() {
        return major * 1000 + minor * 10;
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
