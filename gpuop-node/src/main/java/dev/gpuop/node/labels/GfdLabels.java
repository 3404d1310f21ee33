package dev.gpuop.node.labels;

import dev.gpuop.gpu.CudaVersion;
import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.MigDevice;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The node labels of NVIDIA's GPU feature discovery (v0.17.4), key for key and value for value, so node selectors
 * written for it keep working: machine, CUDA driver and runtime versions in both key styles, MIG and MPS capability,
 * the {@code nvidia.com/gpu.*} resource labels with sharing ({@code -SHARED}), the MIG strategy's labels (single:
 * {@code -MIG-<profile>} on {@code nvidia.com/gpu.*}; mixed: {@code nvidia.com/mig-<profile>.*}), the GPUs' PCI mode,
 * vGPU presence and the timestamp. Pure: the caller reads the GPUs and the host's files ({@link HostFacts}).
 * Differences from GFD, on purpose (docs/migrating.md): with several GPU models the first GPU's model is labelled
 * (GFD picks one at random); a value is always a valid label value (GFD passes on what the API server refuses).
 */
public final class GfdLabels {

    public static final String PREFIX = "nvidia.com/";
    /** The sharing strategies' label values. */
    public static final String NONE = "none";

    /** NVIDIA's MIG strategies. */
    public enum MigStrategy { NONE, SINGLE, MIXED }

    /**
     * Time-slicing or MPS as the device plugin config has it.
     *
     * @param strategy {@code none}, {@code time-slicing} or {@code mps}
     * @param renameByDefault shared resources are advertised as {@code <name>.shared}, so no {@code -SHARED}
     * @param replicas replicas by resource name ({@code nvidia.com/gpu}, {@code nvidia.com/mig-1g.10gb})
     */
    public record Sharing(String strategy, boolean renameByDefault, Map<String, Integer> replicas) {

        public static final Sharing OFF = new Sharing(NONE, false, Map.of());

        public Sharing {
            replicas = Map.copyOf(replicas);
        }

        int replicasOf(String resource) {
            return replicas.getOrDefault(resource, 1);
        }
    }

    /**
     * What the labels are made from.
     *
     * @param gpus the GPUs, by index
     * @param driverVersion NVML's driver version string
     * @param cuda the driver's CUDA version
     * @param mig the MIG strategy
     * @param sharing the sharing config
     * @param machine the DMI product name, or null when unreadable ({@code unknown})
     * @param gpuMode {@code compute}, {@code graphics} or {@code unknown} (from the GPUs' PCI class)
     * @param vgpuPresent whether a GPU is a vGPU, or null when the PCI config space cannot be read (no label)
     * @param timestamp Unix seconds for {@code gfd.timestamp}, or null for none
     */
    public record Inputs(List<GpuInfo> gpus, String driverVersion, CudaVersion cuda, MigStrategy mig, Sharing sharing,
                         String machine, String gpuMode, Boolean vgpuPresent, Long timestamp) {

        public Inputs {
            gpus = List.copyOf(gpus);
        }
    }

    private GfdLabels() {
    }

    /** Every label, sorted by key. */
    public static SortedMap<String, String> of(Inputs in) {
        SortedMap<String, String> l = new TreeMap<>();
        if (in.timestamp() != null) {
            l.put(PREFIX + "gfd.timestamp", Long.toString(in.timestamp()));
        }
        if (in.vgpuPresent() != null) {
            l.put(PREFIX + "vgpu.present", in.vgpuPresent().toString());
        }
        if (in.gpus().isEmpty()) {
            return l;
        }
        l.put(PREFIX + "gpu.machine", in.machine() == null ? "unknown" : value(in.machine()));
        versions(in, l);
        l.put(PREFIX + "mig.capable", Boolean.toString(in.gpus().stream().anyMatch(GpuInfo::migCapable)));
        boolean mps = in.sharing().strategy().equals("mps");
        l.put(PREFIX + "mps.capable", Boolean.toString(mps && in.gpus().stream().noneMatch(GpuInfo::migEnabled)));
        l.put(PREFIX + "gpu.mode", in.gpuMode());
        fullGpus(in, l);
        if (in.mig() == MigStrategy.SINGLE) {
            l.put(PREFIX + "mig.strategy", "single");
            migSingle(in, l);
        } else if (in.mig() == MigStrategy.MIXED) {
            l.put(PREFIX + "mig.strategy", "mixed");
            migMixed(in, l);
        }
        return l;
    }

    /** The driver's version split as GFD does (the revision keeps its leading zero), and the CUDA version. */
    private static void versions(Inputs in, Map<String, String> l) {
        String[] d = in.driverVersion().split("\\.");
        if (d.length == 2 || d.length == 3) {
            String rev = d.length == 3 ? d[2] : "";
            put(l, "cuda.driver.major", d[0], "cuda.driver-version.major");
            put(l, "cuda.driver.minor", d[1], "cuda.driver-version.minor");
            put(l, "cuda.driver.rev", rev, "cuda.driver-version.revision");
            l.put(PREFIX + "cuda.driver-version.full", in.driverVersion());
        }
        CudaVersion c = in.cuda();
        put(l, "cuda.runtime.major", Integer.toString(c.major()), "cuda.runtime-version.major");
        put(l, "cuda.runtime.minor", Integer.toString(c.minor()), "cuda.runtime-version.minor");
        l.put(PREFIX + "cuda.runtime-version.full", c.major() + "." + c.minor());
    }

    private static void put(Map<String, String> l, String oldKey, String v, String newKey) {
        l.put(PREFIX + oldKey, v);
        l.put(PREFIX + newKey, v);
    }

    /** {@code nvidia.com/gpu.*} of the first GPU's model: the whole GPU, shared or not. */
    private static void fullGpus(Inputs in, Map<String, String> l) {
        String model = in.gpus().getFirst().name();
        List<GpuInfo> same = in.gpus().stream().filter(g -> g.name().equals(model)).toList();
        GpuInfo rep = same.getFirst();
        // a model with a GPU in MIG mode shares nothing; any whole GPU of it takes the sharing config
        boolean whole = same.stream().anyMatch(g -> !g.migEnabled());
        int replicas = whole ? in.sharing().replicasOf("nvidia.com/gpu") : 0;
        resource(l, "gpu.", value(model), same.size(), replicas, in.sharing());
        if (rep.memoryTotalMiB() > 0) {
            l.put(PREFIX + "gpu.memory", Long.toString(rep.memoryTotalMiB()));
        }
        if (rep.computeCapability().major() > 0) {
            l.put(PREFIX + "gpu.family", rep.family());
            l.put(PREFIX + "gpu.compute.major", Integer.toString(rep.computeCapability().major()));
            l.put(PREFIX + "gpu.compute.minor", Integer.toString(rep.computeCapability().minor()));
        }
    }

    /** product (with {@code -SHARED}), count, replicas and sharing-strategy under a key prefix. */
    private static void resource(Map<String, String> l, String key, String product, int count, int replicas,
                                 Sharing sharing) {
        boolean shared = replicas > 1;
        l.put(PREFIX + key + "product", product + (shared && !sharing.renameByDefault() ? "-SHARED" : ""));
        l.put(PREFIX + key + "count", Integer.toString(count));
        l.put(PREFIX + key + "replicas", Integer.toString(replicas));
        l.put(PREFIX + key + "sharing-strategy", shared ? sharing.strategy() : NONE);
    }

    /** Single: one MIG profile on every GPU is advertised as {@code nvidia.com/gpu}, and labelled so. */
    private static void migSingle(Inputs in, Map<String, String> l) {
        List<GpuInfo> enabled = in.gpus().stream().filter(GpuInfo::migEnabled).toList();
        if (enabled.isEmpty()) {
            return;
        }
        List<MigDevice> migs = new ArrayList<>();
        enabled.forEach(g -> migs.addAll(g.migDevices()));
        Set<String> profiles = new LinkedHashSet<>();
        migs.forEach(m -> profiles.add(m.profile()));
        boolean valid = enabled.size() == in.gpus().size() && enabled.stream().noneMatch(g -> g.migDevices()
            .isEmpty()) && profiles.size() == 1;
        if (!valid) {
            l.put(PREFIX + "gpu.product", value(enabled.getFirst().name()) + "-MIG-INVALID");
            l.put(PREFIX + "gpu.count", "0");
            l.put(PREFIX + "gpu.replicas", "0");
            l.put(PREFIX + "gpu.sharing-strategy", "");
            l.put(PREFIX + "gpu.memory", "0");
            return;
        }
        MigDevice rep = migs.getFirst();
        resource(l, "gpu.", value(enabled.getFirst().name()) + "-MIG-" + value(rep.profile()), migs.size(),
            in.sharing().replicasOf("nvidia.com/gpu"), in.sharing());
        attributes(l, "gpu.", rep);
    }

    /** Mixed: each MIG profile is its own resource, {@code nvidia.com/mig-<profile>}, with its own labels. */
    private static void migMixed(Inputs in, Map<String, String> l) {
        Map<String, List<MigDevice>> byProfile = new LinkedHashMap<>();
        Map<String, String> parent = new LinkedHashMap<>();
        for (GpuInfo g : in.gpus()) {
            if (!g.migEnabled()) {
                continue;
            }
            for (MigDevice m : g.migDevices()) {
                byProfile.computeIfAbsent(m.profile(), k -> new ArrayList<>()).add(m);
                parent.putIfAbsent(m.profile(), g.name());
            }
        }
        byProfile.forEach((profile, devices) -> {
            String key = "mig-" + profile + ".";
            resource(l, key, value(parent.get(profile)) + "-MIG-" + value(profile), devices.size(),
                in.sharing().replicasOf(PREFIX + "mig-" + profile), in.sharing());
            attributes(l, key, devices.getFirst());
        });
    }

    private static void attributes(Map<String, String> l, String key, MigDevice m) {
        l.put(PREFIX + key + "memory", Long.toString(m.memoryMiB()));
        l.put(PREFIX + key + "multiprocessors", Integer.toString(m.multiprocessorCount()));
        l.put(PREFIX + key + "slices.gi", Integer.toString(m.gpuInstanceSlices()));
        l.put(PREFIX + key + "slices.ci", Integer.toString(m.computeInstanceSlices()));
        MigDevice.Engines e = m.engines();
        l.put(PREFIX + key + "engines.copy", Integer.toString(e.copy()));
        l.put(PREFIX + key + "engines.decoder", Integer.toString(e.decoder()));
        l.put(PREFIX + key + "engines.encoder", Integer.toString(e.encoder()));
        l.put(PREFIX + key + "engines.jpeg", Integer.toString(e.jpeg()));
        l.put(PREFIX + key + "engines.ofa", Integer.toString(e.ofa()));
    }

    /**
     * GFD's spelling of a name ({@code NVIDIA H200} becomes {@code NVIDIA-H200}): characters other than letters,
     * digits, {@code -_.} and space are dropped, runs of spaces become one dash. Then, unlike GFD, held to
     * Kubernetes' rule for label values (at most 63 characters, letters or digits at both ends), so a name GFD would
     * pass on and the API server refuse becomes a label that is written.
     */
    public static String value(String raw) {
        String v = String.join("-", raw.replaceAll("[^A-Za-z0-9._ -]", "").strip().split(" +"));
        if (v.length() > 63) {
            v = v.substring(0, 63);
        }
        return v.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
    }

    /**
     * Whether a key is one of GFD's, so the agent may take it off a node when it no longer applies (a MIG profile
     * gone, sharing turned off). Keys users set ({@code gpu.deploy.*}, {@code device-plugin.config}) are not.
     */
    public static boolean owns(String key) {
        if (!key.startsWith(PREFIX)) {
            return false;
        }
        String k = key.substring(PREFIX.length());
        return k.startsWith("mig-") || k.startsWith("cuda.") || OWNED.contains(k)
            || k.startsWith("gpu.engines.") || k.startsWith("gpu.slices.") || k.startsWith("vgpu.");
    }

    private static final Set<String> OWNED = Set.of("gfd.timestamp", "gpu.machine", "gpu.product", "gpu.count",
        "gpu.replicas", "gpu.sharing-strategy", "gpu.memory", "gpu.family", "gpu.compute.major", "gpu.compute.minor",
        "gpu.mode", "gpu.multiprocessors", "gpu.clique", "mig.capable", "mps.capable", "mig.strategy");
}
