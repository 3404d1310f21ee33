package dev.gpuop.gpu.cuda;

/** A CUDA driver call that failed, named with the driver's error name (e.g. {@code CUDA_ERROR_NO_DEVICE}). */
public class CudaException extends RuntimeException {

    private final String call;
    private final int code;

    public CudaException(String call, int code, String name, String detail) {
        super(call + " failed: " + name + " (" + code + ")"
            + (detail == null || detail.isBlank() ? "" : ": " + detail));
        this.call = call;
        this.code = code;
    }

    /** The C function that failed. */
    public String call() {
        return call;
    }

    /** The {@code CUresult}. */
    public int code() {
        return code;
    }
}
