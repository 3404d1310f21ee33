package dev.gpuop.node.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import dev.gpuop.kubelet.podresources.v1.ContainerDevices;
import dev.gpuop.kubelet.podresources.v1.ContainerResources;
import dev.gpuop.kubelet.podresources.v1.PodResources;
import dev.gpuop.testsupport.PodResourcesStandIn;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kubelet's answer over gRPC on its socket, joined to GPUs, cached until it changes. */
class PodAttributionTest {

    @TempDir
    Path dir;

    static PodResources pod(String ns, String name, String resource, String... ids) {
        return PodResources.newBuilder().setNamespace(ns).setName(name).addContainers(ContainerResources.newBuilder()
            .setName("main").addDevices(ContainerDevices.newBuilder().setResourceName(resource)
                .addAllDeviceIds(List.of(ids)))).build();
    }

    @Test
    void asksTheKubeletAndReplacesTheCacheOnlyWhenTheAnswerChanges() {
        Path socket = dir.resolve("kubelet.sock");
        List<GpuInfo> gpus;
        try (GpuHost host = SimulatedGpuHost.open("h100-sxm-8x")) {
            gpus = host.gpus().stream().map(g -> g.info()).toList();
        }
        try (PodResourcesStandIn kubelet = new PodResourcesStandIn(socket);
             PodAttribution a = new PodAttribution(socket, () -> gpus)) {
            kubelet.set(List.of(pod("ml", "trainer", "nvidia.com/gpu", gpus.get(0).uuid(), gpus.get(7).uuid()),
                pod("kube-system", "coredns", "example.com/none")));
            a.refresh();
            Map<String, PodDevices.PodRef> first = a.byGpu();
            assertThat(first).containsOnlyKeys(gpus.get(0).uuid(), gpus.get(7).uuid());
            assertThat(first.get(gpus.get(7).uuid())).isEqualTo(new PodDevices.PodRef("ml", "trainer", "main"));
            a.refresh();
            assertThat(a.byGpu()).isSameAs(first);
            kubelet.set(List.of());
            a.refresh();
            assertThat(a.byGpu()).isEmpty();
            assertThat(a.problem()).isNull();
            assertThat(kubelet.lists()).isEqualTo(3);
        }
    }

    @Test
    void noSocketMeansNoPodLabelsAndSaysWhere() {
        try (PodAttribution a = new PodAttribution(dir.resolve("absent.sock"), List::of)) {
            a.refresh();
            assertThat(a.byGpu()).isEmpty();
            assertThat(a.problem()).contains("absent.sock");
        }
    }
}
