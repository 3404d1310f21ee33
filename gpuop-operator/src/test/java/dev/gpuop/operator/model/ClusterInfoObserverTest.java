package dev.gpuop.operator.model;

import dev.gpuop.gpu.host.Distribution;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.operator.TestNodes;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterInfoObserverTest {

    @Test
    void distributionsComeFromTheKubeletVersion() {
        assertThat(Distribution.fromKubeletVersion("v1.33.5+rke2r1")).isEqualTo(Distribution.RKE2);
        assertThat(Distribution.fromKubeletVersion("v1.31.4+k3s1")).isEqualTo(Distribution.K3S);
        assertThat(Distribution.fromKubeletVersion("v1.37.2")).isEqualTo(Distribution.CONTAINERD);
        assertThat(Distribution.fromKubeletVersion(null)).isEqualTo(Distribution.CONTAINERD);
    }

    @Test
    void gpuNodesComeFromNfdOrFromGpuPresentAndAUsersFalseWins() {
        ClusterInfo c = ClusterInfoObserver.observe(List.of(
            TestNodes.nfdGpuNode("b-nfd", "v1.33.5+rke2r1"),
            TestNodes.node("a-agent", "v1.33.5", "Ubuntu 24.04.1 LTS", Map.of("nvidia.com/gpu.present", "true"),
                Map.of("gpuop.dev/node-agent-state", "notReady", "gpuop.dev/node-agent-reason", "no driver")),
            TestNodes.node("c-off", "v1.33.5", "Ubuntu", Map.of("feature.node.kubernetes.io/pci-10de.present",
                "true", "nvidia.com/gpu.present", "false"), Map.of()),
            TestNodes.cpuNode("d-cpu")));
        assertThat(c.gpuNodes()).extracting(GpuNode::name).containsExactly("a-agent", "b-nfd");
        assertThat(c.nodeCount()).isEqualTo(4);
        assertThat(c.nfdLabels()).isTrue();
        assertThat(c.distributions()).containsExactlyInAnyOrder(Distribution.CONTAINERD, Distribution.RKE2);
        GpuNode a = c.gpuNodes().getFirst();
        assertThat(a.agent()).isEqualTo(GpuNode.AgentState.NOT_READY);
        assertThat(a.agentReason()).isEqualTo("no driver");
        assertThat(a.driver()).isEqualTo(DriverState.UNKNOWN);
        assertThat(a.runtimeName()).isEqualTo("containerd");
        assertThat(c.gpuNodes().get(1).driver()).isEqualTo(DriverState.PREINSTALLED);
    }

    @Test
    void osTagsAreNvidiasDriverImageSuffixes() {
        assertThat(OsTag.of("Ubuntu 24.04.1 LTS")).contains("ubuntu24.04");
        assertThat(OsTag.of("Red Hat Enterprise Linux 9.4 (Plow)")).contains("rhel9");
        assertThat(OsTag.of("Rocky Linux 9.3 (Blue Onyx)")).contains("rocky9");
        assertThat(OsTag.of("Debian GNU/Linux 12 (bookworm)")).contains("debian12");
        assertThat(OsTag.of("Alpine Linux v3.20")).isEmpty();
        assertThat(OsTag.of(null)).isEmpty();
    }
}
