package dev.gpuop.operator.controller;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.fabric8.kubernetes.api.model.NodeSpecBuilder;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.NodeSystemInfo;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The Node informer's cache, keeping only what the operator reads: the name, uid, resource version, labels (a policy's
 * node selectors may name any of them), the annotations of gpuop and NVIDIA ({@code gpuop.dev/}, {@code nvidia.com/}:
 * the node agent's report and the driver upgrade's state), {@code spec.unschedulable} and the four fields of
 * {@code status.nodeInfo} the cluster's facts come from. Measured at 5,000 KWOK nodes (docs/benchmarks.md): the
 * managed-fields trees alone were most of a full heap; on a real node the rest (conditions, images, addresses,
 * capacity, NFD's and the distribution's annotations) is larger still, and a cache of every node holds it all.
 */
public final class NodeCacheStore implements ItemStore<Node> {

    private final BasicItemStore<Node> store = new BasicItemStore<>(Cache::metaNamespaceKeyFunc);

    @Override
    public String getKey(Node node) {
        return store.getKey(node);
    }

    @Override
    public Node put(String key, Node node) {
        return store.put(key, prune(node));
    }

    /**
     * Drops, in place, what the operator never reads (in place: the informer hands the same object to its event
     * handlers, and the update filter compares it with the cached one). Public for the E2E tests that hand the
     * operator's controllers nodes as this cache holds them.
     */
    public static Node prune(Node node) {
        ObjectMeta m = node.getMetadata();
        node.setMetadata(new ObjectMetaBuilder().withName(m.getName()).withUid(m.getUid())
            .withResourceVersion(m.getResourceVersion()).withLabels(shared(m.getLabels()))
            .withAnnotations(ours(m.getAnnotations())).build());
        // a spec always, as the API server always sends one: the driver upgrade reads spec.unschedulable off it
        NodeSpec spec = node.getSpec();
        node.setSpec(new NodeSpecBuilder().withUnschedulable(spec == null ? null : spec.getUnschedulable()).build());
        NodeSystemInfo info = node.getStatus() == null ? null : node.getStatus().getNodeInfo();
        node.setStatus(info == null ? null : new NodeStatusBuilder().withNewNodeInfo()
            .withKubeletVersion(info.getKubeletVersion()).withContainerRuntimeVersion(info.getContainerRuntimeVersion())
            .withOsImage(info.getOsImage()).withKernelVersion(info.getKernelVersion()).endNodeInfo().build());
        node.setAdditionalProperties(null);
        return node;
    }

    /**
     * The labels with their values made canonical: most are the same on every node ({@code true}, the GPU's product
     * name, the driver's version) and each parsed copy is a String of its own; the JVM's table of interned strings
     * holds them weakly, so a value no node has any more is collected.
     */
    private static Map<String, String> shared(Map<String, String> labels) {
        if (labels == null) {
            return null;
        }
        Map<String, String> kept = new LinkedHashMap<>(labels.size() * 4 / 3 + 1);
        labels.forEach((k, v) -> kept.put(k.intern(), v == null ? null : v.intern()));
        return kept;
    }

    /**
     * A map always, empty when the node has none of ours: JOSDK's informer event source reads an annotation of every
     * node it is handed and threw on a node without any, which dropped every update of such a node (found at 5,000
     * KWOK nodes; OperatorChartE2E checks the operator's log for it).
     */
    private static Map<String, String> ours(Map<String, String> annotations) {
        Map<String, String> kept = new HashMap<>(2);
        if (annotations != null) {
            annotations.forEach((k, v) -> {
                if (k.startsWith("gpuop.dev/") || k.startsWith("nvidia.com/")) {
                    kept.put(k, v);
                }
            });
        }
        return kept;
    }

    @Override
    public Node remove(String key) {
        return store.remove(key);
    }

    @Override
    public Stream<String> keySet() {
        return store.keySet();
    }

    @Override
    public Stream<Node> values() {
        return store.values();
    }

    @Override
    public int size() {
        return store.size();
    }

    @Override
    public Node get(String key) {
        return store.get(key);
    }
}
