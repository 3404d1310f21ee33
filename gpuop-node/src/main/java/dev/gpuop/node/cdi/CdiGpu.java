package dev.gpuop.node.cdi;

import java.util.List;

/**
 * What the CDI spec needs of a GPU.
 *
 * @param index NVML's index (the {@code nvidia.com/gpu=0} name)
 * @param minor the minor of {@code /dev/nvidia<minor>}
 * @param uuid {@code GPU-...}
 * @param migEnabled MIG is on (the GPU is then offered only as its MIG devices, as NVIDIA's generator does)
 * @param migDevices its MIG devices
 */
public record CdiGpu(int index, int minor, String uuid, boolean migEnabled, List<Mig> migDevices) {

    public CdiGpu {
        migDevices = List.copyOf(migDevices);
    }

    /**
     * A MIG device.
     *
     * @param index its index below the parent (the {@code 0:1} name)
     * @param gpuInstanceId GPU instance id
     * @param computeInstanceId compute instance id
     * @param uuid {@code MIG-...}
     */
    public record Mig(int index, int gpuInstanceId, int computeInstanceId, String uuid) {
    }
}
