package dev.gpuop.gpu;

/**
 * ECC error counts: volatile since the last driver load, aggregate over the GPU's life.
 */
public record EccErrors(long correctedVolatile, long uncorrectedVolatile, long correctedAggregate,
                        long uncorrectedAggregate) {
}
