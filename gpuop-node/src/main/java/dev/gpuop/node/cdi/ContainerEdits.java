package dev.gpuop.node.cdi;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The changes CDI makes to a container. gpuop emits no hooks: libraries and binaries are mounted where images look
 * for them, so containers work without NVIDIA's hook binaries on the host (ADR 0004).
 *
 * @param env {@code NAME=VALUE} entries
 * @param deviceNodes device nodes
 * @param mounts bind mounts
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"env", "deviceNodes", "mounts"})
public record ContainerEdits(List<String> env, List<DeviceNode> deviceNodes, List<CdiMount> mounts) {

    public ContainerEdits {
        env = env == null ? List.of() : List.copyOf(env);
        deviceNodes = deviceNodes == null ? List.of() : List.copyOf(deviceNodes);
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
    }

    /** Only device nodes. */
    public static ContainerEdits ofNodes(List<DeviceNode> nodes) {
        return new ContainerEdits(List.of(), nodes, List.of());
    }

    /** True when there is nothing to do. */
    @JsonIgnore
    public boolean isEmpty() {
        return env.isEmpty() && deviceNodes.isEmpty() && mounts.isEmpty();
    }

    /** The union of several edits, each entry once, in first-seen order (the {@code all} device). */
    public static ContainerEdits union(List<ContainerEdits> edits) {
        LinkedHashSet<String> env = new LinkedHashSet<>();
        LinkedHashSet<DeviceNode> nodes = new LinkedHashSet<>();
        LinkedHashSet<CdiMount> mounts = new LinkedHashSet<>();
        for (ContainerEdits e : edits) {
            env.addAll(e.env());
            nodes.addAll(e.deviceNodes());
            mounts.addAll(e.mounts());
        }
        return new ContainerEdits(new ArrayList<>(env), new ArrayList<>(nodes), new ArrayList<>(mounts));
    }
}
