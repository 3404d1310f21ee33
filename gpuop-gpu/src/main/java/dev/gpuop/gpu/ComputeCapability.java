package dev.gpuop.gpu;

/** A CUDA compute capability, e.g. 9.0 for Hopper. */
public record ComputeCapability(int major, int minor) {

    /**
     * The GPU family name that GPU feature discovery puts in {@code nvidia.com/gpu.family}, derived from the compute
     * capability exactly as NVIDIA's labeller does, so that node selectors written for it keep matching.
     */
    public String family() {
        return switch (major) {
            case 1 -> "tesla";
            case 2 -> "fermi";
            case 3 -> "kepler";
            case 5 -> "maxwell";
            case 6 -> "pascal";
            case 7 -> minor < 5 ? "volta" : "turing";
            case 8 -> minor < 9 ? "ampere" : "ada-lovelace";
            case 9 -> "hopper";
            case 10, 12 -> "blackwell";
            case 13 -> "rubin";
            default -> "undefined";
        };
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
