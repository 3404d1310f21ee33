package dev.gpuop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.node.deviceplugin.config.DevicePluginConfigs;
import dev.gpuop.operator.model.PolicyProblem;
import dev.gpuop.operator.model.PolicyValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The operator's check of a device plugin config (the ClusterPolicy's status) and the node agent's loader agree: a
 * config the operator lets through is one every agent loads, and one the agent refuses, the operator names first,
 * instead of a ready policy whose agents fail on their nodes.
 */
class DevicePluginConfigAgreementTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "timeSlicing:\n    resources:\n    - name: nvidia.com/gpu\n      replicas: 4\n",
        "timeSlicing:\n    resources:\n    - name: nvidia.com/gpu\n      replicas: 2\n",
        "timeSlicing:\n    resources:\n    - name: nvidia.com/gpu\n      replicas: 1\n",
        "timeSlicing:\n    resources:\n    - name: nvidia.com/gpu\n      replicas: 0\n",
        "timeSlicing:\n    resources:\n    - name: nvidia.com/gpu\n      replicas: -3\n",
        "timeSlicing:\n    resources:\n    - name: nvidia.com/gpu\n      replicas: zero\n",
        "timeSlicing:\n    resources:\n    - name: nvidia.com/gpu\n",
        "timeSlicing:\n    resources:\n    - name: example.com/fpga\n      replicas: 4\n",
        "timeSlicing:\n    resources:\n    - replicas: 4\n",
        "timeSlicing:\n    resources:\n    - name: nvidia.com/gpu\n      replicas: 4\n"
            + "    - name: nvidia.com/gpu\n      replicas: 2\n",
        "mps:\n    resources:\n    - name: nvidia.com/gpu\n      replicas: 2\n",
        "mps:\n    resources:\n    - name: nvidia.com/gpu\n      replicas: 1\n",
        "timeSlicing:\n    resources:\n    - name: nvidia.com/gpu\n      replicas: 2\n"
            + "  mps:\n    resources:\n    - name: nvidia.com/gpu\n      replicas: 2\n",
    })
    void theOperatorAcceptsExactlyTheSharingConfigsTheAgentLoads(String sharing) {
        String config = "version: v1\nsharing:\n  " + sharing;
        List<PolicyProblem> problems = new ArrayList<>();
        PolicyValidator.deviceConfigFile("plugin-config/any", config, problems);
        String agentError = null;
        try {
            DevicePluginConfigs.parse(config, "plugin-config/any", Map.of());
        } catch (RuntimeException e) {
            agentError = e.getMessage();
        }
        assertThat(problems.isEmpty()).as("operator: %s; agent: %s", problems, agentError)
            .isEqualTo(agentError == null);
    }
}
