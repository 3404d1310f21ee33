package dev.gpuop.gpu.cuda;

/**
 * The outcome of one vector-add validation.
 *
 * @param deviceName the GPU it ran on
 * @param elements number of floats added
 * @param blocks grid size
 * @param threadsPerBlock block size
 * @param firstMismatch index of the first wrong element, or -1 when every element was right
 * @param mismatches number of wrong elements
 */
public record VectorAddResult(String deviceName, int elements, int blocks, int threadsPerBlock, int firstMismatch,
                              int mismatches) {

    /** True when every element came back right. */
    public boolean passed() {
        return mismatches == 0;
    }
}
