package dev.gpuop.gpu.mig;

import dev.gpuop.gpu.MigMode;
import java.util.List;

/**
 * Changes one GPU's MIG layout through the driver: its MIG mode and its GPU instances, each created with one
 * compute instance that spans it (the layout NVIDIA's MIG manager makes for {@code mig-devices}). Every call may
 * throw {@link dev.gpuop.gpu.GpuException} naming the NVML call and its error; a call that fails changes nothing.
 * The caller re-reads the GPUs ({@code GpuHost}) after a change: MIG devices, their UUIDs and the device plugin's
 * resources follow from the new layout.
 */
public interface MigControl {

    /** The MIG mode now, current and pending ({@code nvmlDeviceGetMigMode}). */
    MigMode mode();

    /** Asks for MIG mode on or off ({@code nvmlDeviceSetMigMode}); see {@link MigActivation} for the outcomes. */
    MigActivation setMode(boolean enabled);

    /** The GPU instances that exist now, by placement. */
    List<GpuInstance> gpuInstances();

    /**
     * Creates a GPU instance of the profile at the placement, and one compute instance spanning it.
     *
     * @throws dev.gpuop.gpu.GpuException {@code INSUFFICIENT_RESOURCES} where the placement overlaps an instance
     *     or the GPU's compute slices, media engines or the profile's instance count are used up;
     *     {@code INVALID_ARGUMENT} for a placement the profile does not have; {@code NOT_SUPPORTED} with MIG off
     */
    GpuInstance create(MigProfile profile, int start);

    /**
     * Destroys a GPU instance and its compute instances.
     *
     * @throws dev.gpuop.gpu.GpuException {@code IN_USE} while a process runs on it; {@code NOT_FOUND} if gone
     */
    void destroy(GpuInstance instance);

    /** Compute processes on the GPU now, on the whole GPU or on any of its MIG devices. */
    int processes();
}
