package dev.gpuop.node.deviceplugin.model;

import dev.gpuop.node.deviceplugin.config.DeviceListStrategy;
import dev.gpuop.node.deviceplugin.config.DevicePluginSettings;
import dev.gpuop.node.deviceplugin.v1beta1.CDIDevice;
import dev.gpuop.node.deviceplugin.v1beta1.ContainerAllocateResponse;
import dev.gpuop.node.deviceplugin.v1beta1.DeviceSpec;
import dev.gpuop.node.deviceplugin.v1beta1.Mount;
import dev.gpuop.node.mps.MpsPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * What {@code Allocate} answers for one container: the devices, in the form each configured strategy wants. As
 * NVIDIA's plugin: IDs are checked, replicas collapse to their physical device (two replicas of one GPU give one
 * UUID), and only CDI strategies skip the env var and mounts.
 */
public final class Allocator {

    /** The CDI kind of gpuop's spec ({@code gpuop toolkit}): devices by UUID, index and "all". */
    public static final String CDI_KIND = "nvidia.com/gpu";
    static final String VISIBLE_DEVICES = "NVIDIA_VISIBLE_DEVICES";
    static final String DEVICES_DIR = "/var/run/nvidia-container-devices";
    private static final List<String> CONTROL_NODES = List.of("nvidiactl", "nvidia-uvm", "nvidia-uvm-tools",
        "nvidia-modeset");

    private final ResourceSpec resource;
    private final DevicePluginSettings settings;
    private final Map<String, PluginDevice> byId = new LinkedHashMap<>();
    private final Supplier<UUID> annotationIds;

    public Allocator(ResourceSpec resource, DevicePluginSettings settings, Supplier<UUID> annotationIds) {
        this.resource = resource;
        this.settings = settings;
        this.annotationIds = annotationIds;
        resource.devices().forEach(d -> byId.put(d.id(), d));
    }

    /** The response for one container's request. */
    public ContainerAllocateResponse allocate(List<String> deviceIds) {
        List<PhysicalDevice> physical = resolve(deviceIds);
        List<String> ids = physical.stream().map(p -> p.visibleId(settings.indexIds())).toList();
        ContainerAllocateResponse.Builder r = ContainerAllocateResponse.newBuilder();
        Set<DeviceListStrategy> strategies = settings.deviceListStrategies();
        if (strategies.contains(DeviceListStrategy.ENVVAR)) {
            r.putEnvs(VISIBLE_DEVICES, String.join(",", ids));
        }
        if (strategies.contains(DeviceListStrategy.VOLUME_MOUNTS)) {
            r.putEnvs(VISIBLE_DEVICES, DEVICES_DIR);
            ids.forEach(id -> r.addMounts(Mount.newBuilder().setHostPath("/dev/null")
                .setContainerPath(DEVICES_DIR + "/" + id).setReadOnly(true)));
        }
        if (strategies.contains(DeviceListStrategy.CDI_ANNOTATIONS)) {
            String key = settings.cdiAnnotationPrefix() + "gpuop-device-plugin_" + annotationIds.get();
            r.putAnnotations(key, String.join(",", ids.stream().map(id -> CDI_KIND + "=" + id).toList()));
        }
        if (strategies.contains(DeviceListStrategy.CDI_CRI)) {
            ids.forEach(id -> r.addCdiDevices(CDIDevice.newBuilder().setName(CDI_KIND + "=" + id)));
        }
        if (settings.needsRuntimeHints()) {
            putFlag(r, settings.gdsEnabled(), "NVIDIA_GDS");
            putFlag(r, settings.mofedEnabled(), "NVIDIA_MOFED");
            putFlag(r, settings.gdrcopyEnabled(), "NVIDIA_GDRCOPY");
        }
        if (settings.passDeviceSpecs()) {
            deviceSpecs(physical).forEach(r::addDevices);
        }
        if (resource.mps()) {
            mps(r);
        }
        return r.build();
    }

    /**
     * An MPS replica: the client finds its daemon's pipe and shares the server's {@code /dev/shm}, whatever the
     * device list strategy (CDI included); its share of the GPU's threads is also in its environment, where CUDA
     * reads it as the most a client may take.
     */
    private void mps(ContainerAllocateResponse.Builder r) {
        Path host = Path.of(settings.mpsRoot());
        Path container = Path.of(MpsPaths.CONTAINER_ROOT);
        String pipe = MpsPaths.pipeDir(container, resource.name()).toString();
        r.putEnvs("CUDA_MPS_PIPE_DIRECTORY", pipe);
        r.putEnvs("CUDA_MPS_ACTIVE_THREAD_PERCENTAGE", Integer.toString(100 / resource.replicas()));
        r.addMounts(Mount.newBuilder().setHostPath(MpsPaths.pipeDir(host, resource.name()).toString())
            .setContainerPath(pipe));
        r.addMounts(Mount.newBuilder().setHostPath(MpsPaths.shmDir(host).toString()).setContainerPath("/dev/shm"));
    }

    /** Known IDs to unique physical devices, in request order; refuses unknown IDs and oversized shared asks. */
    List<PhysicalDevice> resolve(List<String> deviceIds) {
        if (resource.failRequestsGreaterThanOne() && deviceIds.size() > 1) {
            throw new AllocationException("invalid request for " + resource.name()
                + ": maximum request size for shared resources is 1; found " + deviceIds.size());
        }
        Set<PhysicalDevice> unique = new LinkedHashSet<>();
        for (String id : deviceIds) {
            PluginDevice d = byId.get(id);
            if (d == null) {
                throw new AllocationException("unknown device " + id + " for " + resource.name()
                    + " on this node (it has " + byId.size() + " devices; was the plugin restarted?)");
            }
            unique.add(d.physical());
        }
        return new ArrayList<>(unique);
    }

    private static void putFlag(ContainerAllocateResponse.Builder r, boolean on, String name) {
        if (on) {
            r.putEnvs(name, "enabled");
        }
    }

    private List<DeviceSpec> deviceSpecs(List<PhysicalDevice> physical) {
        Path dev = Path.of(settings.devRoot(), "dev");
        List<DeviceSpec> specs = new ArrayList<>();
        Set<Integer> minors = new LinkedHashSet<>();
        physical.forEach(p -> minors.add(p.minor()));
        for (int minor : minors) {
            specs.add(spec("/dev/nvidia" + minor, dev.resolve("nvidia" + minor)));
        }
        for (String node : CONTROL_NODES) {
            Path host = dev.resolve(node);
            if (node.equals("nvidiactl") || Files.exists(host)) {
                specs.add(spec("/dev/" + node, host));
            }
        }
        return specs;
    }

    private static DeviceSpec spec(String container, Path host) {
        return DeviceSpec.newBuilder().setContainerPath(container).setHostPath(host.toString())
            .setPermissions("rw").build();
    }
}
