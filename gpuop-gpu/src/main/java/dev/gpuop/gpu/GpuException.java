package dev.gpuop.gpu;

/**
 * A driver call that failed. The message names the call and NVML's error name, which is what a person searching
 * the driver's documentation needs; the code lets callers treat {@code NOT_SUPPORTED} or {@code GPU_IS_LOST} apart.
 */
public class GpuException extends RuntimeException {

    private final String call;
    private final NvmlReturn code;

    public GpuException(String call, NvmlReturn code, String detail) {
        super(call + " failed: " + code.cName() + " (" + code.code() + ")"
            + (detail == null || detail.isBlank() ? "" : ": " + detail));
        this.call = call;
        this.code = code;
    }

    /** The C function that failed, e.g. {@code nvmlDeviceGetPowerUsage}. */
    public String call() {
        return call;
    }

    /** NVML's return code. */
    public NvmlReturn code() {
        return code;
    }

    /** True when the GPU simply lacks the feature; callers report "not available" instead of failing. */
    public boolean isNotSupported() {
        return code == NvmlReturn.ERROR_NOT_SUPPORTED || code == NvmlReturn.ERROR_FUNCTION_NOT_FOUND;
    }
}
