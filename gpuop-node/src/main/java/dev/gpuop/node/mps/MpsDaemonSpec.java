package dev.gpuop.node.mps;

import dev.gpuop.node.deviceplugin.model.PhysicalDevice;
import dev.gpuop.node.deviceplugin.model.ResourceSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * What one resource's MPS control daemon serves: its GPUs, in the order its {@code CUDA_VISIBLE_DEVICES} lists them
 * (the daemon's device ordinals are positions in that list, so each limit goes to the GPU it was computed for,
 * whatever order CUDA enumerates the node's GPUs in), and how many replicas share each.
 *
 * @param resource the advertised resource, e.g. {@code nvidia.com/gpu}
 * @param gpus its GPUs
 * @param replicas replicas per GPU (2 or more)
 */
public record MpsDaemonSpec(String resource, List<MpsGpu> gpus, int replicas) {

    /**
     * One GPU of the daemon.
     *
     * @param uuid its UUID
     * @param memoryMiB its total memory
     */
    public record MpsGpu(String uuid, long memoryMiB) {
    }

    public MpsDaemonSpec {
        gpus = List.copyOf(gpus);
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas " + replicas);
        }
    }

    /** The daemon of an MPS resource, with each GPU's memory as the driver reports it. */
    public static MpsDaemonSpec of(ResourceSpec resource, ToLongFunction<String> memoryMiBOfUuid) {
        List<MpsGpu> gpus = new ArrayList<>();
        for (PhysicalDevice p : resource.physicalDevices()) {
            gpus.add(new MpsGpu(p.uuid(), memoryMiBOfUuid.applyAsLong(p.uuid())));
        }
        return new MpsDaemonSpec(resource.name(), gpus, resource.replicas());
    }

    /** Each client's share of a GPU's threads, in percent: NVIDIA's {@code 100 / replicas}. */
    public int activeThreadPercentage() {
        return 100 / replicas;
    }

    /** {@code CUDA_VISIBLE_DEVICES} of the daemon: its GPUs' UUIDs. */
    public String visibleDevices() {
        return String.join(",", gpus.stream().map(MpsGpu::uuid).toList());
    }

    /**
     * The control commands that set each client's limits once the daemon runs: the pinned device memory of a replica
     * per GPU (its memory divided by the replicas, in MiB), then the thread share.
     */
    public List<String> limitCommands() {
        List<String> commands = new ArrayList<>();
        for (int ordinal = 0; ordinal < gpus.size(); ordinal++) {
            long mib = gpus.get(ordinal).memoryMiB() / replicas;
            if (mib > 0) {
                commands.add("set_default_device_pinned_mem_limit " + ordinal + " " + mib + "M");
            }
        }
        commands.add("set_default_active_thread_percentage " + activeThreadPercentage());
        return commands;
    }
}
