package dev.gpuop.gpu;

import java.util.List;

/**
 * The static description of a full GPU.
 *
 * @param index NVML's index (the order {@code nvidia-smi} lists)
 * @param minorNumber the minor of {@code /dev/nvidia<minor>}
 * @param uuid {@code GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}
 * @param name the marketing name, e.g. {@code NVIDIA H200}
 * @param pciBusId the bus id as {@code nvidia-smi} prints it, e.g. {@code 00000000:00:06.0}
 * @param pciDeviceId the PCI device id in the high 16 bits and the vendor id ({@code 0x10de}) in the low 16
 * @param memoryTotalBytes total frame-buffer memory
 * @param computeCapability CUDA compute capability
 * @param architecture the chip generation NVML reports
 * @param migMode current and pending MIG mode; null when the GPU cannot do MIG
 * @param migDevices the MIG devices when MIG is enabled, else empty
 * @param nvLinkPeers other GPUs of this host reachable over NVLink
 */
public record GpuInfo(int index, int minorNumber, String uuid, String name, String pciBusId, int pciDeviceId,
                      long memoryTotalBytes, ComputeCapability computeCapability, GpuArchitecture architecture,
                      MigMode migMode, List<MigDevice> migDevices, List<NvLinkPeer> nvLinkPeers) {

    public GpuInfo {
        migDevices = List.copyOf(migDevices);
        nvLinkPeers = List.copyOf(nvLinkPeers);
    }

    /** Total memory in MiB, as {@code nvidia-smi} and the {@code nvidia.com/gpu.memory} label give it. */
    public long memoryTotalMiB() {
        return memoryTotalBytes >> 20;
    }

    /** The family name of the feature labels ({@code hopper}, {@code ampere}, ...). */
    public String family() {
        return computeCapability.family();
    }

    /** True when the GPU answers MIG queries at all. */
    public boolean migCapable() {
        return migMode != null;
    }

    /** True when MIG is enabled now. */
    public boolean migEnabled() {
        return migMode != null && migMode.current();
    }
}
