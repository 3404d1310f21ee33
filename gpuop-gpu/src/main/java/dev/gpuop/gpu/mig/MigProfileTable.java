package dev.gpuop.gpu.mig;

import dev.gpuop.gpu.MigProfiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The GPU-instance profiles of the MIG-capable GPUs, by family, with NVML's placement rules (NVIDIA's MIG user
 * guide, "Supported MIG Profiles" and "Placements"). The memory part of each name follows from the GPU's own total
 * memory ({@link MigProfiles#name}), so one family covers its memory sizes: an A100 40GB offers {@code 1g.5gb}, an
 * A100 80GB and an H100 80GB {@code 1g.10gb}, an H200 {@code 1g.18gb}.
 */
public final class MigProfileTable {

    /** NVML's {@code nvmlGpuInstanceProfile} values. */
    static final int SLICE1 = 0x0;
    static final int SLICE2 = 0x1;
    static final int SLICE3 = 0x2;
    static final int SLICE4 = 0x3;
    static final int SLICE7 = 0x4;
    static final int SLICE1_REV1 = 0x7;
    static final int SLICE2_REV1 = 0x8;
    static final int SLICE1_REV2 = 0x9;

    private MigProfileTable() {
    }

    /**
     * The profiles a GPU offers, by its NVML name and total memory; empty for a GPU that cannot do MIG or one this
     * table does not know (the MIG manager then refuses to partition it, naming the GPU).
     */
    public static Optional<List<MigProfile>> forGpu(String name, long memoryTotalBytes) {
        String n = name.toUpperCase(Locale.ROOT);
        if (n.contains("A30")) {
            return Optional.of(quarters(memoryTotalBytes));
        }
        if (n.contains("A100") || n.contains("H100") || n.contains("H200")) {
            return Optional.of(eighths(memoryTotalBytes));
        }
        return Optional.empty();
    }

    /** The seven-compute, eight-memory-slice GPUs: A100, H100, H200 and their variants. */
    private static List<MigProfile> eighths(long total) {
        List<MigProfile> p = new ArrayList<>();
        p.add(profile(1, 1, 7, List.of(0, 1, 2, 3, 4, 5, 6), false, SLICE1, total, 8));
        p.add(profile(1, 1, 1, List.of(0, 1, 2, 3, 4, 5, 6), true, SLICE1_REV1, total, 8));
        p.add(profile(1, 2, 4, List.of(0, 2, 4, 6), false, SLICE1_REV2, total, 8));
        p.add(profile(2, 2, 3, List.of(0, 2, 4), false, SLICE2, total, 8));
        p.add(profile(3, 4, 2, List.of(0, 4), false, SLICE3, total, 8));
        p.add(profile(4, 4, 1, List.of(0), false, SLICE4, total, 8));
        p.add(profile(7, 8, 1, List.of(0), false, SLICE7, total, 8));
        return List.copyOf(p);
    }

    /** The four-slice GPU: A30. */
    private static List<MigProfile> quarters(long total) {
        List<MigProfile> p = new ArrayList<>();
        p.add(profile(1, 1, 4, List.of(0, 1, 2, 3), false, SLICE1, total, 4));
        p.add(profile(1, 1, 1, List.of(0, 1, 2, 3), true, SLICE1_REV1, total, 4));
        p.add(profile(2, 2, 2, List.of(0, 2), false, SLICE2, total, 4));
        p.add(profile(2, 2, 1, List.of(0, 2), true, SLICE2_REV1, total, 4));
        p.add(profile(4, 4, 1, List.of(0), false, SLICE4, total, 4));
        return List.copyOf(p);
    }

    private static MigProfile profile(int compute, int memory, int max, List<Integer> starts, boolean me, int id,
                                      long total, int slices) {
        // the memory an instance reports is a little under its share; the name rounds it up to the share
        long mib = (total >> 20) * memory / slices - 1;
        String name = MigProfiles.name(compute, compute, mib, total) + (me ? "+me" : "");
        return new MigProfile(name, compute, memory, max, starts, me, id);
    }

    /** How many compute and memory slices the GPU has in all (7 and 8, or 4 and 4). */
    public static int computeSlicesOf(List<MigProfile> profiles) {
        return profiles.stream().filter(p -> p.placementStarts().size() == 1 && !p.mediaExtensions())
            .mapToInt(MigProfile::computeSlices).max().orElse(0);
    }

    /** The GPU's memory slices: where the whole-GPU profile ends. */
    public static int memorySlicesOf(List<MigProfile> profiles) {
        return profiles.stream().mapToInt(p -> p.placementStarts().getLast() + p.memorySlices()).max().orElse(0);
    }
}
