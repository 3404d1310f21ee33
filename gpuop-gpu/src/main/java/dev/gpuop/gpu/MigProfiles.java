package dev.gpuop.gpu;

/**
 * MIG profile names as NVIDIA's device plugin and feature discovery spell them ({@code 3g.20gb}), because those
 * names become resource names ({@code nvidia.com/mig-3g.20gb}) that workloads already request.
 */
public final class MigProfiles {

    private MigProfiles() {
    }

    /**
     * The profile name of a MIG device.
     *
     * @param gpuInstanceSlices GPU-instance slices
     * @param computeInstanceSlices compute-instance slices
     * @param migMemoryMiB the instance's memory as NVML reports it ({@code memorySizeMB})
     * @param parentTotalBytes the parent GPU's total memory
     */
    public static String name(int gpuInstanceSlices, int computeInstanceSlices, long migMemoryMiB,
                              long parentTotalBytes) {
        long gb = memoryGb(migMemoryMiB, parentTotalBytes);
        String base = gpuInstanceSlices + "g." + gb + "gb";
        return computeInstanceSlices == gpuInstanceSlices ? base : computeInstanceSlices + "c." + base;
    }

    /**
     * The "GB" of a profile name. NVIDIA rounds the instance's share of the GPU up to eighths and scales the
     * GPU's memory rounded up to whole GiB, so that a 40 GB A100 gives 5/10/20/40 rather than 4.75 GiB.
     */
    static long memoryGb(long migMemoryMiB, long parentTotalBytes) {
        double fraction = (double) migMemoryMiB * (1L << 20) / parentTotalBytes;
        double eighths = Math.ceil(fraction * 8) / 8;
        long totalGiB = (parentTotalBytes + (1L << 30) - 1) >> 30;
        return Math.round(eighths * totalGiB);
    }
}
