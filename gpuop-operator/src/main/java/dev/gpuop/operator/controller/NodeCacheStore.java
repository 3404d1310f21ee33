package dev.gpuop.operator.controller;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.stream.Stream;

/**
 * The Node informer's cache, keeping only what the operator reads: metadata without {@code managedFields}, and
 * status without the node's image list and volumes. Measured at 5,000 KWOK nodes (docs/benchmarks.md), the
 * managed-fields trees alone were most of a full heap: every entry is a tree of maps.
 */
final class NodeCacheStore implements ItemStore<Node> {

    private final BasicItemStore<Node> store = new BasicItemStore<>(Cache::metaNamespaceKeyFunc);

    @Override
    public String getKey(Node node) {
        return store.getKey(node);
    }

    @Override
    public Node put(String key, Node node) {
        return store.put(key, prune(node));
    }

    /** Drops what the operator never reads; labels, annotations and nodeInfo stay. */
    static Node prune(Node node) {
        node.getMetadata().setManagedFields(null);
        if (node.getStatus() != null) {
            node.getStatus().setImages(null);
            node.getStatus().setVolumesAttached(null);
            node.getStatus().setVolumesInUse(null);
        }
        return node;
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
