package dev.gpuop.operator.model;

import dev.gpuop.gpu.host.Distribution;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one reconcile knows about the cluster, observed once at its start and never changed: the GPU nodes, how
 * many nodes there are in all, and whether any carries NFD labels.
 *
 * @param gpuNodes GPU nodes, sorted by name
 * @param nodeCount all nodes
 * @param nfdLabels whether any node has a {@code feature.node.kubernetes.io/} label
 * @param formerGpuNodes nodes that are not GPU nodes but still carry gpuop's labels, by name (to be cleaned)
 */
public record ClusterInfo(List<GpuNode> gpuNodes, int nodeCount, boolean nfdLabels,
                          Map<String, Map<String, String>> formerGpuNodes) {

    public ClusterInfo {
        gpuNodes = List.copyOf(gpuNodes);
        formerGpuNodes = Map.copyOf(formerGpuNodes);
    }

    /** The distributions GPU nodes run, so one node-agent DaemonSet is made per distribution present. */
    public Set<Distribution> distributions() {
        Set<Distribution> d = EnumSet.noneOf(Distribution.class);
        gpuNodes.forEach(n -> d.add(n.distribution()));
        return d;
    }
}
