package dev.gpuop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.api.v1alpha1.ClusterPolicy;
import dev.gpuop.api.v1alpha1.ClusterPolicyStatus;
import dev.gpuop.api.v1alpha1.ComponentState;
import dev.gpuop.api.v1alpha1.OperandStatus;
import dev.gpuop.api.v1alpha1.PolicyState;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gpuop status}'s view of what the operator and the agents published, and its bad input. */
class StatusCommandTest {

    @TempDir
    Path dir;

    private static Node node(String name, Map<String, String> labels, Map<String, String> annotations, String gpus) {
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).withAnnotations(annotations)
            .endMetadata().withNewStatus().addToAllocatable("nvidia.com/gpu", new Quantity(gpus))
            .addToCapacity("nvidia.com/gpu", new Quantity("8")).addNewCondition().withType("Ready")
            .withStatus("True").withLastTransitionTime("2026-12-04T16:35:31Z").endCondition().endStatus().build();
    }

    @Test
    void oneLinePerGpuNodeWithWhatItsAgentReportedThenThePolicyAndItsOperands() {
        Node ready = node("gpu-b", Map.of("nvidia.com/gpu.present", "true", "gpuop.dev/distribution", "k3s",
            "nvidia.com/gpu.count", "8", "nvidia.com/gpu.product", "NVIDIA-H200", "nvidia.com/cuda.driver.major",
            "580", "nvidia.com/cuda.driver.minor", "159", "nvidia.com/cuda.driver.rev", "04"),
            Map.of("gpuop.dev/driver-preinstalled", "true", "gpuop.dev/node-agent-state", "ready",
                "gpuop.dev/validation", "passed"), "8");
        Node broken = node("gpu-a", Map.of("nvidia.com/gpu.present", "true", "gpuop.dev/distribution", "rke2"),
            Map.of("gpuop.dev/driver-preinstalled", "false", "gpuop.dev/node-agent-state", "notReady",
                "gpuop.dev/node-agent-reason", "cannot read the GPUs", "gpuop.dev/validation", "driver: no NVML"),
            "0");
        Node cpu = node("cpu-1", Map.of("nvidia.com/gpu.present", "false"), Map.of(), "0");
        ClusterPolicy p = new ClusterPolicy();
        p.getMetadata().setName("cluster-policy");
        p.setStatus(new ClusterPolicyStatus(PolicyState.NOT_READY, "gpu-operator", 1L, List.of(), List.of(
            new OperandStatus("node-agent", ComponentState.NOT_READY, "1 of 2 ready")), 2, 1, List.of(), 0));

        ClusterStatusView v = ClusterStatusView.of(List.of(ready, broken, cpu), p);
        assertThat(v.nodes()).extracting(ClusterStatusView.NodeRow::name).containsExactly("gpu-a", "gpu-b");
        assertThat(v.nodes().get(1)).isEqualTo(new ClusterStatusView.NodeRow("gpu-b", "k3s", "580.159.04 (host)",
            "8x NVIDIA-H200", "8/8", "ready", "passed", "2026-12-04T16:35:31Z"));
        assertThat(v.nodes().getFirst().health()).isEqualTo("notReady: cannot read the GPUs");
        assertThat(v.nodes().getFirst().driver()).isEqualTo("? (container)");
        String table = v.table();
        assertThat(table.lines().toList()).first().asString().startsWith("NODE").contains("VALIDATION");
        assertThat(table).contains("driver: no NVML").contains("ClusterPolicy cluster-policy: notReady")
            .containsPattern("node-agent +notReady +1 of 2 ready");
        assertThat(ClusterStatusView.of(List.of(), null).table()).contains("no node labelled")
            .contains("no ClusterPolicy");
    }

    @Test
    void anUnreadableKubeconfigOrABadFormatIsABadCommandLineWithoutAStackTrace() throws Exception {
        CliRun missing = CliRun.of("status", "--kubeconfig", dir.resolve("nope").toString());
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).contains("not a readable file").doesNotContain("\tat ");
        Path junk = Files.writeString(dir.resolve("junk"), "{not: [a kubeconfig");
        CliRun bad = CliRun.of("status", "--kubeconfig", junk.toString());
        assertThat(bad.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(bad.err()).contains("not a kubeconfig").doesNotContain("\tat ");
        assertThat(CliRun.of("status", "-o", "xml").err()).contains("table, json or yaml");
    }
}
