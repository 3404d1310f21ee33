package dev.gpuop.node.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The workload check, NVIDIA's plugin validation: a pod on this node asking for one GPU through the runtime class,
 * which proves what no file can: the kubelet admits it, the device plugin allocates, containerd runs the handler and
 * the container sees its GPU. On real GPUs it runs {@code gpuop validate cuda} from gpuop's own image; on simulated
 * GPUs (no CUDA to run) it lists the device nodes the runtime gave it.
 */
public final class WorkloadPod {

    /** The pod's label, for people and for cleaning up. */
    public static final String LABEL = "gpuop.dev/workload-check";

    /**
     * Where and what the pod runs.
     *
     * @param namespace the node agent's namespace
     * @param image the image (the node agent's, or the policy's validator image)
     * @param pullPolicy its pull policy
     * @param runtimeClass the runtime class (NVIDIA's {@code nvidia})
     * @param resource the resource to ask one of ({@code nvidia.com/gpu})
     * @param ownerPod the node agent's pod name and uid ({@code name/uid}), which owns the workload pod so that it
     *     goes with the agent; null when unknown
     */
    public record Settings(String namespace, String image, String pullPolicy, String runtimeClass, String resource,
                           String ownerPod) {
    }

    private WorkloadPod() {
    }

    /** The pod's name on a node: one per node, reused, so that a crashed agent leaves at most one behind. */
    public static String name(String node) {
        String n = "gpuop-workload-check-" + node;
        return n.length() <= 253 ? n : n.substring(0, 253);
    }

    /** The pod. */
    public static Map<String, Object> manifest(String node, Settings s, boolean simulated) {
        List<String> command = simulated
            ? List.of("sh", "-c", "ls /dev/nvidia[0-9]* && echo 'devices given: simulated GPUs run no CUDA'")
            : List.of("/opt/gpuop/bin/gpuop", "validate", "cuda");
        Map<String, Object> container = new LinkedHashMap<>();
        container.put("name", "workload-check");
        container.put("image", s.image());
        container.put("imagePullPolicy", s.pullPolicy());
        container.put("command", command);
        container.put("resources", Map.of("limits", Map.of(s.resource(), "1")));
        // as CUDA images set it: gpuop's CDI spec mounts the driver's libraries there too, and libcuda opens its
        // JIT compiler by soname (on the H200, whose driver lives in that very dir, nothing else finds it)
        container.put("env", List.of(Map.of("name", "LD_LIBRARY_PATH", "value", "/usr/local/nvidia/lib64")));
        // the log's tail goes to the status when it fails: no log permission needed to say why
        container.put("terminationMessagePolicy", "FallbackToLogsOnError");
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("nodeName", node);
        spec.put("restartPolicy", "Never");
        spec.put("runtimeClassName", s.runtimeClass());
        spec.put("tolerations", List.of(Map.of("operator", "Exists")));
        spec.put("containers", List.of(container));
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", name(node));
        metadata.put("namespace", s.namespace());
        metadata.put("labels", Map.of(LABEL, "true"));
        if (s.ownerPod() != null && s.ownerPod().contains("/")) {
            String[] owner = s.ownerPod().split("/", 2);
            metadata.put("ownerReferences", List.of(Map.of("apiVersion", "v1", "kind", "Pod", "name", owner[0],
                "uid", owner[1])));
        }
        return Map.of("apiVersion", "v1", "kind", "Pod", "metadata", metadata, "spec", spec);
    }

    /** The verdict once the pod is done, or empty while it runs. */
    public static Optional<StageResult> verdict(JsonNode pod) {
        String phase = pod.path("status").path("phase").asText("");
        JsonNode terminated = pod.path("status").path("containerStatuses").path(0).path("state").path("terminated");
        String log = terminated.path("message").asText("").strip();
        String tail = log.isEmpty() ? "" : ": " + log.lines().reduce((a, b) -> b).orElse("");
        return switch (phase) {
            case "Succeeded" -> Optional.of(StageResult.passed(ValidationStage.PLUGIN, "workload pod "
                + pod.path("metadata").path("name").asText() + " ran on its GPU" + tail));
            case "Failed" -> Optional.of(StageResult.failed(ValidationStage.PLUGIN, "workload pod "
                + pod.path("metadata").path("name").asText() + " failed (exit " + terminated.path("exitCode")
                .asText("?") + ", " + terminated.path("reason").asText(pod.path("status").path("reason")
                .asText("?")) + ")" + tail));
            default -> Optional.empty();
        };
    }

    /** Why a pod that is not done yet waits: the first container's waiting reason and message, or its phase. */
    public static String waiting(JsonNode pod) {
        JsonNode w = pod.path("status").path("containerStatuses").path(0).path("state").path("waiting");
        if (!w.isMissingNode()) {
            return w.path("reason").asText() + (w.path("message").asText("").isBlank() ? ""
                : ": " + w.path("message").asText());
        }
        JsonNode conditions = pod.path("status").path("conditions");
        for (JsonNode c : conditions) {
            if ("False".equals(c.path("status").asText()) && !c.path("message").asText("").isBlank()) {
                return c.path("type").asText() + ": " + c.path("message").asText();
            }
        }
        return pod.path("status").path("phase").asText("Pending");
    }
}
