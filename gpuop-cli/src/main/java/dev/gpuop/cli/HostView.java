package dev.gpuop.cli;

import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.GpuReadings;
import dev.gpuop.gpu.MigDevice;
import dev.gpuop.gpu.NvLinkPeer;
import java.util.List;
import java.util.Locale;

/**
 * What {@code gpuop gpus --output json|yaml} prints: a stable document, with the names and units of
 * {@code nvidia-smi --query-gpu} where it has the same field (pciBusId, memoryTotalMiB, computeCapability).
 *
 * @param driverVersion the driver's version
 * @param cudaDriverVersion e.g. {@code 13.0}
 * @param gpus the GPUs
 */
record HostView(String driverVersion, String cudaDriverVersion, List<GpuView> gpus) {

    static HostView of(GpuHost host) {
        return new HostView(host.driverVersion(), host.cudaDriverVersion().toString(),
            host.gpus().stream().map(GpuView::of).toList());
    }

    /**
     * One GPU.
     *
     * @param index NVML index
     * @param minorNumber {@code /dev/nvidia<minor>}
     * @param uuid GPU UUID
     * @param name marketing name
     * @param pciBusId e.g. {@code 00000000:00:06.0}
     * @param pciDeviceId e.g. {@code 0x233510de}
     * @param memoryTotalMiB total memory
     * @param computeCapability e.g. {@code 9.0}
     * @param architecture NVML's architecture, lower case
     * @param family the feature-label family
     * @param migMode {@code enabled}, {@code disabled}, {@code disabled (enabled after reset)}, or
     *     {@code not supported}
     * @param migDevices MIG devices
     * @param nvLinkPeers NVLink peers
     * @param readings live readings; unsupported ones null
     */
    record GpuView(int index, int minorNumber, String uuid, String name, String pciBusId, String pciDeviceId,
                   long memoryTotalMiB, String computeCapability, String architecture, String family,
                   String migMode, List<MigDevice> migDevices, List<NvLinkPeer> nvLinkPeers,
                   GpuReadings readings) {

        static GpuView of(Gpu gpu) {
            GpuInfo i = gpu.info();
            return new GpuView(i.index(), i.minorNumber(), i.uuid(), i.name(), i.pciBusId(),
                String.format("0x%08x", i.pciDeviceId()), i.memoryTotalMiB(), i.computeCapability().toString(),
                i.architecture().name().toLowerCase(Locale.ROOT), i.family(), migMode(i), i.migDevices(),
                i.nvLinkPeers(), gpu.readings());
        }

        private static String migMode(GpuInfo i) {
            if (!i.migCapable()) {
                return "not supported";
            }
            String now = i.migMode().current() ? "enabled" : "disabled";
            if (i.migMode().changePending()) {
                return now + " (" + (i.migMode().pending() ? "enabled" : "disabled") + " after reset)";
            }
            return now;
        }
    }
}
