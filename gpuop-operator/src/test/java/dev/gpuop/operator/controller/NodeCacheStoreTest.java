package dev.gpuop.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.operator.TestNodes;
import dev.gpuop.operator.model.ClusterInfoObserver;
import io.fabric8.kubernetes.api.model.ContainerImage;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeCacheStoreTest {

    /** What a K3s GPU node looks like to an informer, cut short: the parts the cache must keep and some it drops. */
    private static final String K3S_NODE = """
        apiVersion: v1
        kind: Node
        metadata:
          name: gpu-7
          uid: 4b1d6a52-0000-4000-8000-000000000007
          resourceVersion: "81234"
          labels:
            kubernetes.io/hostname: gpu-7
            feature.node.kubernetes.io/pci-10de.present: "true"
            feature.node.kubernetes.io/cpu-cpuid.AVX512F: "true"
            nvidia.com/gpu.deploy.device-plugin: "true"
          annotations:
            k3s.io/node-args: '["server","--disable","traefik","--write-kubeconfig-mode","0644"]'
            flannel.alpha.coreos.com/public-ip: 10.0.0.7
            nfd.node.kubernetes.io/feature-labels: cpu-cpuid.AVX512F,pci-10de.present
            gpuop.dev/node-agent-state: notReady
            gpuop.dev/node-agent-reason: driver library libnvidia-ml.so.1 not found
            nvidia.com/gpu-driver-upgrade-requested: "true"
          managedFields:
          - manager: k3s
            operation: Update
        spec:
          podCIDR: 10.42.3.0/24
          providerID: k3s://gpu-7
          unschedulable: true
          taints: [{key: node.kubernetes.io/unschedulable, effect: NoSchedule}]
        status:
          addresses: [{type: InternalIP, address: 10.0.0.7}]
          capacity: {cpu: "64", nvidia.com/gpu: "8"}
          allocatable: {cpu: "64", nvidia.com/gpu: "8"}
          conditions: [{type: Ready, status: "True", reason: KubeletReady}]
          images: [{names: [nvcr.io/nvidia/cuda:12.9.1-base-ubuntu24.04], sizeBytes: 101000000}]
          nodeInfo:
            kubeletVersion: v1.33.5+k3s1
            containerRuntimeVersion: containerd://2.1.4-k3s1
            osImage: Ubuntu 24.04.3 LTS
            kernelVersion: 6.8.0-85-generic
            machineID: 0f4e1c
            bootID: 77aa01
            architecture: amd64
        """;

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
        assertThat(cached.getSpec()).as("a schedulable node keeps a spec: the driver upgrade reads it").isNotNull();
        assertThat(cached.getSpec().getUnschedulable()).isNotEqualTo(Boolean.TRUE);
    }

    @Test
    void aRealNodeKeepsItsLabelsGpuopsAnnotationsUnschedulableAndNodeInfo() {
        Node full = Serialization.unmarshal(K3S_NODE, Node.class);
        var before = ClusterInfoObserver.observe(List.of(Serialization.unmarshal(K3S_NODE, Node.class)));
        NodeCacheStore store = new NodeCacheStore();
        store.put(store.getKey(full), full);
        Node cached = store.get("gpu-7");

        assertThat(ClusterInfoObserver.observe(List.of(cached))).isEqualTo(before);
        assertThat(cached.getMetadata().getLabels()).hasSize(4).containsEntry("kubernetes.io/hostname", "gpu-7");
        assertThat(cached.getMetadata().getAnnotations()).isEqualTo(Map.of(
            "gpuop.dev/node-agent-state", "notReady",
            "gpuop.dev/node-agent-reason", "driver library libnvidia-ml.so.1 not found",
            "nvidia.com/gpu-driver-upgrade-requested", "true"));
        assertThat(cached.getMetadata().getUid()).isEqualTo("4b1d6a52-0000-4000-8000-000000000007");
        assertThat(cached.getMetadata().getResourceVersion()).isEqualTo("81234");
        assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(cached.getSpec().getUnschedulable()).isTrue();
        assertThat(cached.getSpec().getTaints()).isNullOrEmpty();
        assertThat(cached.getSpec().getPodCIDR()).isNull();
        assertThat(cached.getStatus().getConditions()).isNullOrEmpty();
        assertThat(cached.getStatus().getCapacity()).isNullOrEmpty();
        assertThat(cached.getStatus().getImages()).isNullOrEmpty();
        assertThat(cached.getStatus().getAddresses()).isNullOrEmpty();
        assertThat(cached.getStatus().getNodeInfo().getKubeletVersion()).isEqualTo("v1.33.5+k3s1");
        assertThat(cached.getStatus().getNodeInfo().getContainerRuntimeVersion()).isEqualTo("containerd://2.1.4-k3s1");
        assertThat(cached.getStatus().getNodeInfo().getMachineID()).isNull();
        // pruned in place: the informer hands the object it stored to the update filter, which compares it with the
        // cached one, so both sides are pruned alike
        assertThat(cached).isSameAs(full);
    }

    @Test
    void aNodeWithoutSpecStatusOrAnnotationsStaysEmptyThere() {
        Node bare = Serialization.unmarshal("{\"metadata\":{\"name\":\"bare\"}}", Node.class);
        Node cached = NodeCacheStore.prune(bare);
        assertThat(cached.getMetadata().getName()).isEqualTo("bare");
        // a map, not null: JOSDK reads an annotation of every node it is handed
        assertThat(cached.getMetadata().getAnnotations()).isNotNull().isEmpty();
        assertThat(cached.getSpec()).as("a spec, for the driver upgrade's spec.unschedulable").isNotNull();
        assertThat(cached.getSpec().getUnschedulable()).isNull();
        assertThat(cached.getStatus()).isNull();
        assertThat(ClusterInfoObserver.observe(List.of(cached)).gpuNodes()).isEmpty();
        Node others = Serialization.unmarshal("{\"metadata\":{\"name\":\"kwok\",\"annotations\":"
            + "{\"kwok.x-k8s.io/node\":\"fake\"}}}", Node.class);
        assertThat(NodeCacheStore.prune(others).getMetadata().getAnnotations()).isNotNull().isEmpty();
    }
}
