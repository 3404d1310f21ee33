package dev.gpuop.gpu.mig;

/**
 * A GPU-instance profile as the driver describes it ({@code nvmlDeviceGetGpuInstanceProfileInfo}), whatever the
 * GPU's MIG mode: what {@link MigProfileTable} is checked against on a real GPU.
 *
 * @param nvmlProfileId  NVML's {@code NVML_GPU_INSTANCE_PROFILE_*} value
 * @param sliceCount     the compute slices
 * @param instanceCount  how many the GPU holds at most
 * @param memoryMiB      an instance's memory
 */
public record MigProfileInfo(int nvmlProfileId, int sliceCount, int instanceCount, long memoryMiB) {

    /** The profile values NVML defines today (0 to 12); asking past them costs nothing and finds nothing. */
    public static final int NVML_PROFILE_IDS = 16;
}
