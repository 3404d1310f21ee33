package dev.gpuop.gpu.mig;

import java.util.List;

/**
 * A GPU-instance profile a MIG-capable GPU offers, with the rules NVML enforces when one is created: how many of
 * the GPU's compute and memory slices it takes, how many can exist at once, and where it may start.
 *
 * @param name              the name NVIDIA's tools and resource names use ({@code 3g.71gb}, {@code 1g.18gb+me})
 * @param computeSlices     the compute slices (the "g" of the name)
 * @param memorySlices      the memory slices (eighths of the GPU's memory on A100/H100/H200, quarters on A30)
 * @param maxInstances      how many instances of this profile the GPU holds at most
 * @param placementStarts   the memory slices an instance may start at
 * @param mediaExtensions   true for the {@code +me} profiles, which take the GPU's one set of media engines
 * @param nvmlProfileId     NVML's {@code NVML_GPU_INSTANCE_PROFILE_*} value, for the calls that create it
 */
public record MigProfile(String name, int computeSlices, int memorySlices, int maxInstances,
                         List<Integer> placementStarts, boolean mediaExtensions, int nvmlProfileId) {

    public MigProfile {
        placementStarts = List.copyOf(placementStarts);
    }
}
