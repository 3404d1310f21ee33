package dev.gpuop.node.exporter;

import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.MigDevice;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Which container holds which GPU, from the kubelet's pod-resources answer: pure, so the join is tested without a
 * kubelet. A device ID is matched as dcgm-exporter matches it, whatever device plugin handed it out: a GPU UUID, a MIG
 * UUID (its parent GPU), an index ({@code 3}, or {@code 3:1} for a MIG device), {@code nvidia<minor>}, each with or
 * without a replica suffix ({@code ::n}). A GPU held by several containers (time-slicing, MPS, MIG devices of one GPU)
 * is given to the first by namespace, pod and container, so a GPU's series carry one pod, as dcgm-exporter's do.
 */
public final class PodDevices {

    /** Resource names counted: NVIDIA's, renamed or not ({@code nvidia.com/gpu}, {@code .shared}, {@code mig-*}). */
    static final String RESOURCE_PREFIX = "nvidia.com/";

    /** One container's devices of one resource, as the kubelet lists them. */
    public record Holding(String namespace, String pod, String container, String resourceName,
                          List<String> deviceIds) {
    }

    /** The labels of the container that holds a GPU. */
    public record PodRef(String namespace, String pod, String container) {
        static final Comparator<PodRef> ORDER = Comparator.comparing(PodRef::namespace)
            .thenComparing(PodRef::pod).thenComparing(PodRef::container);
    }

    private PodDevices() {
    }

    /** GPU UUID → the container holding it, for the GPUs some container holds. */
    public static Map<String, PodRef> byGpu(List<Holding> holdings, List<GpuInfo> gpus) {
        Map<String, String> gpuOf = idIndex(gpus);
        Map<String, PodRef> out = new TreeMap<>();
        for (Holding h : holdings) {
            if (!h.resourceName().startsWith(RESOURCE_PREFIX)) {
                continue;
            }
            PodRef ref = new PodRef(h.namespace(), h.pod(), h.container());
            for (String id : h.deviceIds()) {
                gpuOf(id, gpuOf).ifPresent(uuid -> out.merge(uuid, ref,
                    (a, b) -> PodRef.ORDER.compare(a, b) <= 0 ? a : b));
            }
        }
        return out;
    }

    /** The GPU a device ID names, if any. */
    static Optional<String> gpuOf(String deviceId, Map<String, String> index) {
        int replica = deviceId.indexOf("::");
        String id = replica < 0 ? deviceId : deviceId.substring(0, replica);
        return Optional.ofNullable(index.get(id));
    }

    /** Every form of ID a device plugin may use, to the full GPU's UUID. */
    private static Map<String, String> idIndex(List<GpuInfo> gpus) {
        Map<String, String> index = new HashMap<>();
        for (GpuInfo g : gpus) {
            index.put(g.uuid(), g.uuid());
            index.put(Integer.toString(g.index()), g.uuid());
            index.put("nvidia" + g.minorNumber(), g.uuid());
            for (MigDevice m : g.migDevices()) {
                index.put(m.uuid(), g.uuid());
                index.put(g.index() + ":" + m.index(), g.uuid());
            }
        }
        return index;
    }
}
