package dev.gpuop.node.mig;

import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.mig.MigProfile;
import dev.gpuop.gpu.mig.MigProfileTable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The layouts a node gets when the policy names no mig-parted ConfigMap, made from its own GPUs (as NVIDIA's MIG
 * manager makes them from the hardware since v26.3, instead of a fixed list of products): {@code all-disabled},
 * {@code all-enabled} (MIG on, no instances), {@code all-balanced} (two 1g, one 2g and one 3g instance; two 1g and
 * one 2g on a four-slice GPU) and {@code all-<profile>} with as many instances of one profile as the GPU holds
 * ({@code all-1g.10gb.me} for {@code 1g.10gb+me}: a label value cannot hold a plus).
 * Each entry selects its GPUs by PCI device id, so a node with GPUs of two kinds gets each kind's layout and a GPU
 * without MIG is left alone.
 */
public final class DefaultMigLayouts {

    /** Where the layouts come from, for messages. */
    public static final String SOURCE = "gpuop's MIG layouts for this node's GPUs";

    private DefaultMigLayouts() {
    }

    public static MigPartedConfig forGpus(List<GpuInfo> gpus) {
        Map<Integer, List<MigProfile>> byDevice = new LinkedHashMap<>();
        for (GpuInfo g : gpus) {
            Optional<List<MigProfile>> table = MigProfileTable.forGpu(g.name(), g.memoryTotalBytes());
            if (g.migCapable() && table.isPresent()) {
                byDevice.putIfAbsent(g.pciDeviceId(), table.get());
            }
        }
        Map<String, List<MigPartedConfig.Entry>> layouts = new LinkedHashMap<>();
        layouts.put("all-disabled", List.of(new MigPartedConfig.Entry(Optional.empty(), List.of(), false, Map.of())));
        layouts.put("all-enabled", entries(byDevice, profiles -> Optional.of(Map.of())));
        layouts.put("all-balanced", entries(byDevice, profiles -> Optional.of(balanced(profiles))));
        List<String> names = byDevice.values().stream().flatMap(List::stream).map(MigProfile::name).distinct()
            .toList();
        for (String name : names) {
            // a label value cannot hold '+': NVIDIA names the media-engine layouts all-1g.10gb.me
            layouts.put("all-" + name.replace("+", "."), entries(byDevice, profiles -> profiles.stream()
                .filter(p -> p.name().equals(name)).findFirst().map(p -> Map.of(p.name(), p.maxInstances()))));
        }
        return new MigPartedConfig("v1", layouts);
    }

    private static List<MigPartedConfig.Entry> entries(Map<Integer, List<MigProfile>> byDevice,
                                                       java.util.function.Function<List<MigProfile>,
                                                           Optional<Map<String, Integer>>> devices) {
        List<MigPartedConfig.Entry> out = new ArrayList<>();
        byDevice.forEach((id, profiles) -> devices.apply(profiles).ifPresent(d ->
            out.add(new MigPartedConfig.Entry(Optional.empty(), List.of(id), true, d))));
        return out;
    }

    /** Two of the smallest instance, one with two and one with three compute slices, as far as the GPU has them. */
    private static Map<String, Integer> balanced(List<MigProfile> profiles) {
        int slices = MigProfileTable.computeSlicesOf(profiles);
        Map<String, Integer> out = new LinkedHashMap<>();
        plain(profiles, 1).ifPresent(p -> out.put(p.name(), 2));
        plain(profiles, 2).ifPresent(p -> out.put(p.name(), 1));
        if (slices >= 7) {
            plain(profiles, 3).ifPresent(p -> out.put(p.name(), 1));
        }
        return out;
    }

    /** The profile of n compute slices with the least memory and no media engines. */
    private static Optional<MigProfile> plain(List<MigProfile> profiles, int computeSlices) {
        return profiles.stream().filter(p -> p.computeSlices() == computeSlices && !p.mediaExtensions())
            .min(Comparator.comparingInt(MigProfile::memorySlices));
    }
}
