package dev.gpuop.node.deviceplugin.model;

import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.MigDevice;
import dev.gpuop.node.deviceplugin.config.DevicePluginSettings;
import dev.gpuop.node.deviceplugin.config.InvalidConfigException;
import dev.gpuop.node.deviceplugin.config.MigStrategy;
import dev.gpuop.node.deviceplugin.config.Replication;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToIntFunction;

/**
 * Decides which resources a node advertises and with which devices, from its GPUs and the settings: NVIDIA's
 * rules for MIG strategies, ID strategies and replication, so that the resource names and device IDs workloads
 * and tools depend on stay the same. Pure: no gRPC, no driver calls beyond the GPUs' static info.
 */
public final class ResourcePlanner {

    /** The resource of full GPUs. */
    public static final String GPU = "nvidia.com/gpu";

    private ResourcePlanner() {
    }

    /**
     * Plans the resources; resources without devices are left out.
     *
     * @param numaOf the NUMA node of a GPU by PCI bus id (-1 when unknown)
     * @throws InvalidConfigException when the GPUs cannot be advertised under the MIG strategy (naming why)
     */
    public static List<ResourceSpec> plan(List<Gpu> gpus, DevicePluginSettings settings,
                                          ToIntFunction<String> numaOf) {
        Map<String, List<PhysicalDevice>> byResource = new LinkedHashMap<>();
        MigStrategy mig = settings.migStrategy();
        if (mig == MigStrategy.SINGLE) {
            checkSingle(gpus);
        }
        for (Gpu gpu : gpus) {
            GpuInfo i = gpu.info();
            int numa = numaOf.applyAsInt(i.pciBusId());
            if (mig == MigStrategy.NONE || !i.migEnabled()) {
                byResource.computeIfAbsent(GPU, k -> new ArrayList<>()).add(new PhysicalDevice(i.uuid(),
                    Integer.toString(i.index()), i.uuid(), i.minorNumber(), numa, -1, -1));
                continue;
            }
            for (MigDevice m : i.migDevices()) {
                String resource = mig == MigStrategy.SINGLE ? GPU : "nvidia.com/mig-" + m.profile().replace('+', '.');
                byResource.computeIfAbsent(resource, k -> new ArrayList<>()).add(new PhysicalDevice(m.uuid(),
                    i.index() + ":" + m.index(), i.uuid(), i.minorNumber(), numa, m.gpuInstanceId(),
                    m.computeInstanceId()));
            }
        }
        List<ResourceSpec> specs = new ArrayList<>();
        byResource.forEach((name, devices) -> specs.add(resource(name, devices, settings)));
        return specs;
    }

    private static ResourceSpec resource(String name, List<PhysicalDevice> physical, DevicePluginSettings s) {
        Replication r = s.replication().orElse(null);
        int replicas = r == null ? 1 : r.replicasOf(name);
        List<PluginDevice> devices = new ArrayList<>();
        for (PhysicalDevice p : physical) {
            String id = p.visibleId(s.indexIds());
            if (replicas == 1) {
                devices.add(new PluginDevice(id, p));
            } else {
                for (int n = 0; n < replicas; n++) {
                    devices.add(new PluginDevice(id + PluginDevice.REPLICA_SEPARATOR + n, p));
                }
            }
        }
        boolean shared = replicas > 1;
        boolean mps = shared && r.kind() == Replication.Kind.MPS;
        if (mps && physical.stream().anyMatch(PhysicalDevice::isMig)) {
            // an MPS server serves a whole GPU; NVIDIA's plugin refuses MPS on MIG devices too
            throw new InvalidConfigException("sharing.mps: " + name + " is made of MIG devices here (MIG strategy "
                + s.migStrategy().name().toLowerCase(java.util.Locale.ROOT) + "), and MPS cannot share a MIG device;"
                + " use time-slicing, or turn MIG off on these GPUs");
        }
        String advertised = shared && r.renameByDefault() ? name + ".shared" : name;
        return new ResourceSpec(advertised, devices, shared, shared && r.failRequestsGreaterThanOne(), replicas, mps);
    }

    /** NVIDIA's single-strategy rule: every GPU MIG-enabled with one profile, or none MIG-enabled. */
    private static void checkSingle(List<Gpu> gpus) {
        long enabled = gpus.stream().filter(g -> g.info().migEnabled()).count();
        if (enabled == 0) {
            return;
        }
        if (enabled != gpus.size()) {
            throw new InvalidConfigException("flags.migStrategy: single needs MIG enabled on all GPUs or none; "
                + enabled + " of " + gpus.size() + " have it. Use mixed, or change the MIG mode");
        }
        Set<String> profiles = new TreeSet<>();
        for (Gpu g : gpus) {
            if (g.info().migDevices().isEmpty()) {
                throw new InvalidConfigException("flags.migStrategy: single, but GPU " + g.info().index()
                    + " has MIG enabled and no MIG devices");
            }
            g.info().migDevices().forEach(m -> profiles.add(m.profile()));
        }
        if (profiles.size() > 1) {
            throw new InvalidConfigException("flags.migStrategy: single needs one MIG profile on every GPU, found "
                + profiles + ". Use mixed");
        }
    }
}
