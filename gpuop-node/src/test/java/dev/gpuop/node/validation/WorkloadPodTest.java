package dev.gpuop.node.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpuop.node.validation.StageResult.Outcome;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The workload pod as the agent sends it (NVIDIA's plugin validation: one GPU, the runtime class, this node) and its
 * verdict read from pod statuses as the API server returns them. The pod itself runs on testenv
 * (ToolkitOnTheNodeE2E) and on the H200 (scripts/gpu-e2e.sh).
 */
class WorkloadPodTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final WorkloadPod.Settings SETTINGS = new WorkloadPod.Settings("gpu-operator",
        "docker.io/gpuop/gpuop:0.1.0", "IfNotPresent", "nvidia", "nvidia.com/gpu", "gpuop-node-agent-x7k2p/1234-ab");

    @Test
    void thePodAsksForOneGpuOnThisNodeThroughTheRuntimeClassAndIsOwnedByTheAgent() {
        JsonNode pod = JSON.valueToTree(WorkloadPod.manifest("gpu-node-7", SETTINGS, false));
        assertThat(pod.at("/metadata/name").asText()).isEqualTo("gpuop-workload-check-gpu-node-7");
        assertThat(pod.at("/metadata/namespace").asText()).isEqualTo("gpu-operator");
        assertThat(pod.at("/metadata/ownerReferences/0/name").asText()).isEqualTo("gpuop-node-agent-x7k2p");
        assertThat(pod.at("/metadata/ownerReferences/0/uid").asText()).isEqualTo("1234-ab");
        assertThat(pod.at("/spec/nodeName").asText()).isEqualTo("gpu-node-7");
        assertThat(pod.at("/spec/runtimeClassName").asText()).isEqualTo("nvidia");
        assertThat(pod.at("/spec/restartPolicy").asText()).isEqualTo("Never");
        JsonNode c = pod.at("/spec/containers/0");
        assertThat(c.at("/resources/limits").toString()).isEqualTo("{\"nvidia.com/gpu\":\"1\"}");
        assertThat(JSON.convertValue(c.path("command"), List.class))
            .isEqualTo(List.of("/opt/gpuop/bin/gpuop", "validate", "cuda"));
        assertThat(c.path("terminationMessagePolicy").asText()).isEqualTo("FallbackToLogsOnError");
        assertThat(c.at("/env/0/name").asText() + "=" + c.at("/env/0/value").asText())
            .isEqualTo("LD_LIBRARY_PATH=/usr/local/nvidia/lib64");
        assertThat(JSON.valueToTree(WorkloadPod.manifest("n", SETTINGS, true)).at("/spec/containers/0/command/2")
            .asText()).startsWith("ls /dev/nvidia[0-9]*");
        WorkloadPod.Settings noOwner = new WorkloadPod.Settings("ns", "i", "Never", "nvidia", "nvidia.com/gpu", null);
        assertThat(JSON.valueToTree(WorkloadPod.manifest("n", noOwner, false)).at("/metadata/ownerReferences")
            .isMissingNode()).isTrue();
    }

    @Test
    void theVerdictComesFromThePhaseAndAFailureCarriesTheLogsLastLine() throws Exception {
        JsonNode ok = JSON.readTree("""
            {"metadata":{"name":"gpuop-workload-check-n"},"status":{"phase":"Succeeded","containerStatuses":[
             {"state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}}""");
        assertThat(WorkloadPod.verdict(ok)).get().extracting(StageResult::outcome).isEqualTo(Outcome.PASSED);
        JsonNode failed = JSON.readTree("""
            {"metadata":{"name":"gpuop-workload-check-n"},"status":{"phase":"Failed","containerStatuses":[
             {"state":{"terminated":{"exitCode":4,"reason":"Error",
              "message":"[Vector addition of 50000 elements]\\ncuInit failed: CUDA_ERROR_NO_DEVICE (100)\\n"}}}]}}""");
        StageResult f = WorkloadPod.verdict(failed).orElseThrow();
        assertThat(f.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(f.reason()).isEqualTo("workload pod gpuop-workload-check-n failed (exit 4, Error): cuInit failed: "
            + "CUDA_ERROR_NO_DEVICE (100)");
        JsonNode noHandler = JSON.readTree("""
            {"status":{"phase":"Pending","containerStatuses":[{"state":{"waiting":{"reason":"ContainerCreating"}}}],
             "conditions":[{"type":"PodReadyToStartContainers","status":"False"}]}}""");
        assertThat(WorkloadPod.verdict(noHandler)).isEmpty();
        assertThat(WorkloadPod.waiting(noHandler)).isEqualTo("ContainerCreating");
        JsonNode unadmitted = JSON.readTree("""
            {"status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False",
             "message":"0/1 nodes are available: 1 Insufficient nvidia.com/gpu."}]}}""");
        assertThat(WorkloadPod.waiting(unadmitted)).isEqualTo("PodScheduled: 0/1 nodes are available: 1 "
            + "Insufficient nvidia.com/gpu.");
    }

    @Test
    void aPluginStageThatPassedIsProvenByTheWorkloadPodWhichRunsAgainOnlyOnAChange() {
        StageResult plugin = StageResult.passed(ValidationStage.PLUGIN, "the kubelet lists nvidia.com/gpu=8");
        StageResult toolkit = StageResult.passed(ValidationStage.TOOLKIT, "handler");
        List<Object> asked = new java.util.ArrayList<>();
        WorkloadCheck pod = fp -> {
            asked.add(fp);
            return StageResult.passed(ValidationStage.PLUGIN, "workload pod ran on its GPU");
        };
        NodeValidator.Inputs in = new NodeValidator.Inputs(null, null, true, null, null,
            new PluginStage.Plugin(true, true, Map.of("nvidia.com/gpu", 8), null), null, true, pod);
        StageResult r = NodeValidator.workload(in, plugin, toolkit);
        assertThat(r.reason()).isEqualTo("the kubelet lists nvidia.com/gpu=8; workload pod ran on its GPU");
        assertThat(asked).hasSize(1);
        assertThat(asked.getFirst().toString()).contains("nvidia.com/gpu=8").contains("PASSED");
        StageResult notRegistered = StageResult.failed(ValidationStage.PLUGIN, "not registered");
        assertThat(NodeValidator.workload(in, notRegistered, toolkit)).isSameAs(notRegistered);
        assertThat(asked).as("no pod for a plugin the kubelet has not taken").hasSize(1);
        WorkloadCheck waiting = fp -> StageResult.failed(ValidationStage.PLUGIN, "waiting for workload pod "
            + "gpu-operator/gpuop-workload-check-n: ContainerCreating (12 s)");
        NodeValidator.Inputs slow = new NodeValidator.Inputs(null, null, true, null, null, in.plugin(), null, true,
            waiting);
        assertThat(NodeValidator.workload(slow, plugin, toolkit).reason()).contains("ContainerCreating (12 s)");
    }
}
