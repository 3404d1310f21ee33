package dev.gpuop.node.deviceplugin.model;

/**
 * A device a container can be given: a full GPU or a MIG device.
 *
 * @param uuid {@code GPU-...} or {@code MIG-...}
 * @param index NVIDIA's index form: {@code "3"} for a GPU, {@code "3:1"} for MIG device 1 of GPU 3
 * @param gpuUuid the full GPU's UUID (itself for a full GPU): what XID events name
 * @param minor the {@code /dev/nvidia<minor>} of the full GPU
 * @param numaNode the GPU's NUMA node, or -1
 * @param gpuInstanceId MIG GPU instance, or -1
 * @param computeInstanceId MIG compute instance, or -1
 */
public record PhysicalDevice(String uuid, String index, String gpuUuid, int minor, int numaNode, int gpuInstanceId,
                             int computeInstanceId) {

    /** True for a MIG device. */
    public boolean isMig() {
        return gpuInstanceId >= 0;
    }

    /** The id a container sees in {@code NVIDIA_VISIBLE_DEVICES} and CDI names, by the configured strategy. */
    public String visibleId(boolean indexIds) {
        return indexIds ? index : uuid;
    }
}
