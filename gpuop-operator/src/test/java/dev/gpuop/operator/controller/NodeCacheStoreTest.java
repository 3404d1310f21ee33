package dev.gpuop.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.operator.TestNodes;
import dev.gpuop.operator.model.ClusterInfoObserver;
import io.fabric8.kubernetes.api.model.ContainerImage;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Node;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeCacheStoreTest {

    @Test
    void theCacheKeepsWhatTheObserverReadsAndDropsTheRest() {
        Node n = TestNodes.nfdGpuNode("gpu-1", "v1.33.5+rke2r1");
        n.getMetadata().setManagedFields(List.of(new ManagedFieldsEntry()));
        n.getStatus().setImages(List.of(new ContainerImage(List.of("nvcr.io/nvidia/cuda:12"), 1L)));
        var before = ClusterInfoObserver.observe(List.of(n));
        NodeCacheStore store = new NodeCacheStore();
        store.put(store.getKey(n), n);
        Node cached = store.get("gpu-1");
        assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(cached.getStatus().getImages()).isNullOrEmpty();
        assertThat(ClusterInfoObserver.observe(store.values().toList())).isEqualTo(before);
        assertThat(store.size()).isEqualTo(1);
        assertThat(store.remove("gpu-1")).isSameAs(cached);
    }
}
