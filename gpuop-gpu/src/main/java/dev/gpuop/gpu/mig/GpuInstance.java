package dev.gpuop.gpu.mig;

/**
 * A GPU instance that exists on a MIG-enabled GPU, as the driver reports it.
 *
 * @param id            the driver's GPU-instance id
 * @param nvmlProfileId the {@code NVML_GPU_INSTANCE_PROFILE_*} it was created with
 * @param start         the first memory slice it occupies (its placement)
 * @param size          how many memory slices it occupies
 * @param processes     compute processes running on it now
 */
public record GpuInstance(int id, int nvmlProfileId, int start, int size, int processes) {
}
