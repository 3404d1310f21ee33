package dev.gpuop.gpu;

/**
 * Memory rows remapped after errors.
 *
 * @param corrected rows remapped for correctable errors
 * @param uncorrected rows remapped for uncorrectable errors
 * @param pending a remap waits for a GPU reset
 * @param failed a remap failed: the GPU needs service
 */
public record RemappedRows(int corrected, int uncorrected, boolean pending, boolean failed) {
}
