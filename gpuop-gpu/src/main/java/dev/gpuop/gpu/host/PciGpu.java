package dev.gpuop.gpu.host;

/**
 * An NVIDIA display or 3D controller on the PCI bus, as sysfs shows it with or without a driver.
 *
 * @param address the PCI address, e.g. {@code 0000:01:00.0}
 * @param deviceId the PCI device id, e.g. {@code 0x2335}
 * @param pciClass the class code, e.g. {@code 0x030200} (3D controller) or {@code 0x030000} (VGA)
 * @param boundDriver the kernel driver bound to it ({@code nvidia}, {@code nouveau}, {@code vfio-pci}), or null
 * @param numaNode the NUMA node, or -1 when the platform reports none
 */
public record PciGpu(String address, String deviceId, String pciClass, String boundDriver, int numaNode) {

    /** The mode GPU feature discovery labels: {@code compute} for 3D controllers, {@code graphics} for VGA. */
    public String mode() {
        return pciClass.startsWith("0x0302") ? "compute" : pciClass.startsWith("0x0300") ? "graphics" : "unknown";
    }
}
