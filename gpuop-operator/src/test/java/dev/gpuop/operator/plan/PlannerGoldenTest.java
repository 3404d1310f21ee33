package dev.gpuop.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.operator.TestNodes;
import dev.gpuop.operator.model.ClusterInfoObserver;
import dev.gpuop.operator.operand.OperatorSettings;
import io.fabric8.kubernetes.api.model.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Everything the operator would apply, per scenario, against reviewed golden YAML in
 * {@code src/test/resources/golden/}. After an intended change, regenerate with {@code -Dgolden.update=true} and
 * review the diff before committing it.
 */
class PlannerGoldenTest {

    static final OperatorSettings SETTINGS = new OperatorSettings("gpu-operator", "gpuop/gpuop:0.1.0");
    static final String SEED = "operator:\n  defaultRuntime: containerd\ndriver:\n  enabled: false\n"
        + "toolkit:\n  enabled: false\n";
    static final String DRIVER = "driver:\n  enabled: true\n  repository: nvcr.io/nvidia\n  image: driver\n"
        + "  version: 580.95.05\n";

    static Stream<Arguments> scenarios() {
        return Stream.of(
            Arguments.of("containerd-seed", SEED, List.of(TestNodes.nfdGpuNode("gpu-1", "v1.33.5"),
                TestNodes.cpuNode("cpu-1"))),
            Arguments.of("rke2-seed", SEED, List.of(TestNodes.nfdGpuNode("gpu-1", "v1.33.5+rke2r1"))),
            Arguments.of("k3s-toolkit-cdi", "toolkit:\n  enabled: true\ndriver:\n  enabled: false\n",
                List.of(TestNodes.nfdGpuNode("gpu-1", "v1.33.5+k3s1"))),
            Arguments.of("rke2-toolkit-off-no-cdi", "toolkit:\n  enabled: false\ncdi:\n  enabled: false\n"
                + "driver:\n  enabled: false\n", List.of(TestNodes.nfdGpuNode("gpu-1", "v1.33.5+rke2r1"))),
            Arguments.of("containerd-driver", DRIVER + "toolkit:\n  enabled: true\n", List.of(
                TestNodes.node("gpu-1", "v1.33.5", "Ubuntu 24.04.1 LTS", java.util.Map.of(
                    "nvidia.com/gpu.present", "true"), java.util.Map.of("gpuop.dev/driver-preinstalled", "false",
                    "gpuop.dev/node-agent-state", "notReady", "gpuop.dev/node-agent-reason", "no driver")),
                TestNodes.nfdGpuNode("gpu-2", "v1.33.5"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void theOperatorWouldApplyExactlyTheGoldenObjects(String name, String spec, List<Node> nodes) throws Exception {
        DesiredState plan = Planner.plan(TestNodes.policy(spec), ClusterInfoObserver.observe(nodes), SETTINGS,
            null);
        assertThat(plan.problems()).isEmpty();
        String yaml = PlanPrinter.yaml(plan);
        Path golden = Path.of("src/test/resources/golden/" + name + ".yaml");
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(golden, yaml);
        }
        assertThat(yaml).as("%s differs; if intended, rerun with -Dgolden.update=true and review", golden)
            .isEqualTo(Files.readString(golden));
    }
}
