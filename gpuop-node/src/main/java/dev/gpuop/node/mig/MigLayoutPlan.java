package dev.gpuop.node.mig;

import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.mig.MigLayout;
import dev.gpuop.gpu.mig.MigProfile;
import dev.gpuop.gpu.mig.MigProfileTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one layout of a mig-parted config makes of this node's GPUs: for each GPU an entry selects, its MIG mode
 * and its GPU instances with their placements. GPUs no entry selects are left as they are, as NVIDIA's MIG manager
 * leaves them. Everything is checked before anything is changed: a layout that cannot be applied to every GPU it
 * selects is refused whole, naming the entry and the profile, and the node keeps its layout and its workloads.
 *
 * @param gpus the GPUs the layout changes, by index
 */
public record MigLayoutPlan(List<GpuLayout> gpus) {

    /**
     * One GPU's part of the plan.
     *
     * @param gpuIndex   NVML's index
     * @param migEnabled the MIG mode it is to have
     * @param instances  its GPU instances and where each starts; empty with MIG off
     * @param entry      the path of the entry that selected it ({@code mig-configs.custom[1]})
     */
    public record GpuLayout(int gpuIndex, boolean migEnabled, List<MigLayout.Placement> instances, String entry) {

        public GpuLayout {
            instances = List.copyOf(instances);
        }
    }

    public MigLayoutPlan {
        gpus = List.copyOf(gpus);
    }

    /**
     * Plans a layout for the node's GPUs.
     *
     * @param name   the layout's name (the node's {@code nvidia.com/mig.config} label)
     * @param source where the config came from, for messages
     * @throws InvalidMigConfigException naming the entry, the GPU and the profile that cannot be applied
     */
    public static MigLayoutPlan of(MigPartedConfig config, String name, List<GpuInfo> gpus, String source) {
        List<MigPartedConfig.Entry> entries = config.layout(name, source);
        List<GpuLayout> out = new ArrayList<>();
        for (int e = 0; e < entries.size(); e++) {
            MigPartedConfig.Entry entry = entries.get(e);
            String entryPath = "mig-configs." + name + "[" + e + "]";
            String at = source + ": " + entryPath;
            for (Integer wanted : entry.devices().orElse(List.of())) {
                if (gpus.stream().noneMatch(g -> g.index() == wanted)) {
                    throw new InvalidMigConfigException(at + ".devices: GPU " + wanted + " is not on this node; it has "
                        + gpus.size() + " GPU" + (gpus.size() == 1 ? "" : "s"));
                }
            }
            for (GpuInfo gpu : gpus) {
                if (!entry.selects(gpu.index(), gpu.pciDeviceId())) {
                    continue;
                }
                Optional<GpuLayout> earlier = out.stream().filter(l -> l.gpuIndex() == gpu.index()).findFirst();
                if (earlier.isPresent()) {
                    throw new InvalidMigConfigException(at + ": selects GPU " + gpu.index() + ", which "
                        + earlier.get().entry() + " selects already");
                }
                out.add(layoutOf(gpu, entry, entryPath, at));
            }
        }
        return new MigLayoutPlan(out);
    }

    private static GpuLayout layoutOf(GpuInfo gpu, MigPartedConfig.Entry entry, String entryPath, String at) {
        if (!entry.migEnabled()) {
            return new GpuLayout(gpu.index(), false, List.of(), entryPath);
        }
        String gpuName = "GPU " + gpu.index() + " (" + gpu.name() + ")";
        Optional<List<MigProfile>> offered = MigProfileTable.forGpu(gpu.name(), gpu.memoryTotalBytes());
        if (!gpu.migCapable() || offered.isEmpty()) {
            throw new InvalidMigConfigException(at + ".mig-enabled: " + gpuName + " cannot be partitioned with MIG");
        }
        MigLayout.Result fit = MigLayout.place(offered.get(), entry.migDevices());
        if (!fit.fits()) {
            throw new InvalidMigConfigException(at + ".mig-devices" + fit.profile().map(p -> "." + p).orElse("")
                + ": " + gpuName + ": " + fit.problem().orElseThrow());
        }
        return new GpuLayout(gpu.index(), true, fit.placements(), entryPath);
    }
}
