package dev.gpuop.operator.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The labels the operator keeps on nodes, with NVIDIA's rules: a non-empty value is never overwritten (so a user's
 * {@code nvidia.com/gpu.deploy.<operand>=false} keeps that operand off the node, and paused values survive), and
 * {@code nvidia.com/gpu.deploy.operands=false} takes every operand off. One exception, the seed's reboot loop:
 * when the node agent reports a pre-installed driver, a driver label of {@code true} becomes {@code pre-installed}.
 * Pure: the result is per node the keys to set, a null value meaning remove, and nodes with nothing to change are
 * left out, so a steady cluster costs no writes.
 */
public final class NodeLabeler {

    /** Operands whose deploy label every GPU node gets ({@code true} unless the user set a value). */
    public static final List<String> ALWAYS = List.of("node-agent", "container-toolkit", "device-plugin",
        "gpu-feature-discovery", "dcgm-exporter", "operator-validator");
    /** The driver's deploy label. */
    public static final String DRIVER = NodeLabels.deploy("driver");
    /** MIG manager's deploy label, only on MIG-capable nodes. */
    public static final String MIG_MANAGER = NodeLabels.deploy("mig-manager");

    private NodeLabeler() {
    }

    /**
     * The label changes per node.
     *
     * @param migDefault the MIG layout to label MIG-capable nodes with when the MIG manager runs and the node has
     *     none, or null
     */
    public static Map<String, Map<String, String>> changes(ClusterInfo cluster, String migDefault) {
        Map<String, Map<String, String>> all = new TreeMap<>();
        for (GpuNode n : cluster.gpuNodes()) {
            Map<String, String> c = forGpuNode(n, migDefault);
            if (!c.isEmpty()) {
                all.put(n.name(), c);
            }
        }
        cluster.formerGpuNodes().forEach((name, labels) -> {
            Map<String, String> c = new LinkedHashMap<>();
            labels.keySet().stream().filter(ClusterInfoObserver::isOurs).forEach(k -> c.put(k, null));
            if (!c.isEmpty()) {
                all.put(name, c);
            }
        });
        return all;
    }

    static Map<String, String> forGpuNode(GpuNode n, String migDefault) {
        Map<String, String> want = new LinkedHashMap<>();
        if (isEmpty(n.label(NodeLabels.GPU_PRESENT))) {
            want.put(NodeLabels.GPU_PRESENT, "true");
        }
        want.put(NodeLabels.DISTRIBUTION, n.distribution().id());
        if ("false".equals(n.label(NodeLabels.DEPLOY_OPERANDS))) {
            n.labels().keySet().stream().filter(ClusterInfoObserver::isOurs)
                .filter(k -> !k.equals(NodeLabels.DISTRIBUTION)).forEach(k -> want.put(k, null));
            return diff(n, want);
        }
        ALWAYS.forEach(op -> setIfEmpty(n, want, NodeLabels.deploy(op), "true"));
        if (n.driver() == DriverState.PREINSTALLED) {
            if (isEmpty(n.label(DRIVER)) || "true".equals(n.label(DRIVER))) {
                want.put(DRIVER, NodeLabels.PRE_INSTALLED);
            }
        } else if (n.driver() == DriverState.ABSENT) {
            setIfEmpty(n, want, DRIVER, "true");
        }
        // UNKNOWN: wait for the node agent's report; a driver container must never start next to a host driver
        if (n.migCapable()) {
            setIfEmpty(n, want, MIG_MANAGER, "true");
            if (migDefault != null) {
                setIfEmpty(n, want, NodeLabels.MIG_CONFIG, migDefault);
            }
        }
        return diff(n, want);
    }

    private static void setIfEmpty(GpuNode n, Map<String, String> want, String key, String value) {
        if (isEmpty(n.label(key))) {
            want.put(key, value);
        }
    }

    private static Map<String, String> diff(GpuNode n, Map<String, String> want) {
        Map<String, String> c = new LinkedHashMap<>();
        want.forEach((k, v) -> {
            String now = n.label(k);
            boolean same = v == null ? now == null : v.equals(now);
            if (!same) {
                c.put(k, v);
            }
        });
        return c;
    }

    private static boolean isEmpty(String v) {
        return v == null || v.isEmpty();
    }
}
