package dev.gpuop.gpu;

/**
 * A MIG device: one compute instance inside one GPU instance of a MIG-enabled GPU.
 *
 * @param uuid {@code MIG-xxxxxxxx-...}
 * @param index the MIG device index below the parent ({@code nvmlDeviceGetMigDeviceHandleByIndex})
 * @param gpuInstanceId the GPU instance id
 * @param computeInstanceId the compute instance id
 * @param profile the profile name as NVIDIA's device plugin spells it, e.g. {@code 1g.10gb} or {@code 1c.2g.20gb}
 * @param memoryMiB memory of the GPU instance in MiB
 * @param multiprocessorCount SMs of the compute instance
 * @param gpuInstanceSlices GPU-instance slice count
 * @param computeInstanceSlices compute-instance slice count
 * @param engines the shared engines of the GPU instance (GPU feature discovery labels them)
 */
public record MigDevice(String uuid, int index, int gpuInstanceId, int computeInstanceId, String profile,
                        long memoryMiB, int multiprocessorCount, int gpuInstanceSlices, int computeInstanceSlices,
                        Engines engines) {

    /** NVML's shared engine counts of a MIG device ({@code nvmlDeviceAttributes_t}). */
    public record Engines(int copy, int decoder, int encoder, int jpeg, int ofa) {

        /** Unknown (a fixture that does not say). */
        public static final Engines NONE = new Engines(0, 0, 0, 0, 0);
    }
}
