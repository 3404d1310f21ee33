package dev.gpuop.node.agent;

import dev.gpuop.gpu.CudaVersion;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.GpuInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GPU feature labels with the keys of NVIDIA's GPU feature discovery, so node selectors and affinities written for
 * it ({@code nvidia.com/gpu.product}, {@code gpu.memory}, {@code gpu.count}, {@code cuda.driver.major}, ...) keep
 * working. Facts of the first GPU, as GFD labels a node (mixed models on one node are rare and GFD does the same).
 */
final class FeatureLabels {

    /** The prefix of every key. */
    static final String PREFIX = "nvidia.com/";

    private FeatureLabels() {
    }

    /** The labels for the GPUs of a host; empty when it has none. */
    static Map<String, String> of(GpuHost host) {
        List<GpuInfo> gpus = host.gpus().stream().map(g -> g.info()).toList();
        Map<String, String> l = new LinkedHashMap<>();
        if (gpus.isEmpty()) {
            return l;
        }
        GpuInfo first = gpus.getFirst();
        l.put(PREFIX + "gpu.product", value(first.name()));
        l.put(PREFIX + "gpu.count", Integer.toString(gpus.size()));
        l.put(PREFIX + "gpu.memory", Long.toString(first.memoryTotalMiB()));
        l.put(PREFIX + "gpu.family", value(first.family()));
        l.put(PREFIX + "gpu.compute.major", Integer.toString(first.computeCapability().major()));
        l.put(PREFIX + "gpu.compute.minor", Integer.toString(first.computeCapability().minor()));
        String[] driver = host.driverVersion().split("\\.");
        String[] keys = {"cuda.driver.major", "cuda.driver.minor", "cuda.driver.rev"};
        for (int i = 0; i < keys.length && i < driver.length; i++) {
            l.put(PREFIX + keys[i], value(driver[i]));
        }
        CudaVersion cuda = host.cudaDriverVersion();
        l.put(PREFIX + "cuda.runtime.major", Integer.toString(cuda.major()));
        l.put(PREFIX + "cuda.runtime.minor", Integer.toString(cuda.minor()));
        l.put(PREFIX + "mig.capable", Boolean.toString(gpus.stream().anyMatch(GpuInfo::migCapable)));
        return l;
    }

    /**
     * A label value: GFD's spelling of a product name (spaces become dashes), cut to Kubernetes' rules (at most 63
     * characters of letters, digits, {@code -_.}, starting and ending with a letter or digit).
     */
    static String value(String raw) {
        String v = raw.strip().replaceAll("[^A-Za-z0-9._-]+", "-");
        if (v.length() > 63) {
            v = v.substring(0, 63);
        }
        return v.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
    }
}
