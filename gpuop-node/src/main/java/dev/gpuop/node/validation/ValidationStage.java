package dev.gpuop.node.validation;

/**
 * The node checks NVIDIA's validator makes, in its order, with the status file each one writes in
 * {@code /run/nvidia/validations} when it passes: tools and init containers that wait on those files keep working.
 */
public enum ValidationStage {
    /** NVML loads and every GPU answers. */
    DRIVER("driver-ready"),
    /** Containers can be given the GPUs: the CDI spec names every GPU (gpuop's toolkit), or NVIDIA's runtime does. */
    TOOLKIT("toolkit-ready"),
    /** A CUDA vector add on each GPU. */
    CUDA("cuda-ready"),
    /** The kubelet took the device plugin's resources. */
    PLUGIN("plugin-ready");

    private final String file;

    ValidationStage(String file) {
        this.file = file;
    }

    /** The status file's name, as NVIDIA's validator names it. */
    public String file() {
        return file;
    }

    /** The lower-case name used in reports. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
