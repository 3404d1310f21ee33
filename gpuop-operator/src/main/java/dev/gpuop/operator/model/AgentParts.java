package dev.gpuop.operator.model;

import dev.gpuop.gpu.host.Distribution;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which of the node agent's parts a GPU node switches off with NVIDIA's per-node labels
 * ({@code nvidia.com/gpu.deploy.device-plugin}, {@code .gpu-feature-discovery}, {@code .dcgm-exporter}). NVIDIA's
 * operator runs each part as its own DaemonSet whose node selector wants the label {@code true}; gpuop's parts share
 * one process, so the operator runs one node agent DaemonSet per combination of parts the nodes ask for, each
 * started with the others off. A part is off on a node whose label is {@code false} or
 * {@code paused-for-mig-change} (NVIDIA's MIG manager's pause), on otherwise (absent: the labeler is about to set
 * {@code true}). A node whose label flips gets the other DaemonSet's pod: the agent restarts and reads the GPUs
 * anew, which is how the device plugin finds the MIG devices of a new layout. Pure.
 */
public final class AgentParts {

    /** NVIDIA's names of the parts, in the order variant names list them. */
    public static final List<String> SWITCHABLE = List.of("device-plugin", "gpu-feature-discovery", "dcgm-exporter");
    /** Label values that switch a part off. */
    public static final List<String> OFF_VALUES = List.of("false", "paused-for-mig-change");
    private static final Map<String, String> SHORT = Map.of("device-plugin", "dp", "gpu-feature-discovery", "gfd",
        "dcgm-exporter", "dcgm");

    private AgentParts() {
    }

    /** The parts a node switches off, in {@link #SWITCHABLE} order. */
    public static List<String> off(GpuNode n) {
        List<String> off = new ArrayList<>();
        for (String part : SWITCHABLE) {
            String v = n.label(NodeLabels.deploy(part));
            if (v != null && OFF_VALUES.contains(v)) {
                off.add(part);
            }
        }
        return List.copyOf(off);
    }

    /**
     * The combinations of parts off among a distribution's GPU nodes that run the agent, the empty one (every part
     * on) always first, so the common DaemonSet keeps its name whatever the nodes ask.
     */
    public static Set<List<String>> variants(ClusterInfo cluster, Distribution d) {
        Set<List<String>> out = new LinkedHashSet<>();
        out.add(List.of());
        for (GpuNode n : cluster.gpuNodes()) {
            String agent = n.label(NodeLabels.deploy("node-agent"));
            if (n.distribution() == d && (agent == null || agent.equals("true"))) {
                out.add(off(n));
            }
        }
        return out;
    }

    /** What a variant adds to the DaemonSet's name: {@code -off-dp-gfd-dcgm} style, empty for every part on. */
    public static String suffix(List<String> off) {
        if (off.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("-off");
        off.forEach(p -> b.append('-').append(SHORT.get(p)));
        return b.toString();
    }
}
