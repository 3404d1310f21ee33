package dev.gpuop.api.v1alpha1;

/**
 * Where the node agent's MPS control daemons keep their pipes, logs and shared memory on each node (NVIDIA's
 * {@code devicePlugin.mps.root}); pods given an MPS replica mount from there.
 *
 * @param root an absolute host path; absent: {@code /run/nvidia/mps}
 */
public record MpsSpec(String root) {

    /** NVIDIA's chart's default. */
    public static final String DEFAULT_ROOT = "/run/nvidia/mps";

    /** The root, or NVIDIA's default. */
    public String rootOrDefault() {
        return root == null || root.isBlank() ? DEFAULT_ROOT : root;
    }
}
