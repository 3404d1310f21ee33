package dev.gpuop.gpu;

/**
 * Percent of time over the driver's last sample period.
 *
 * @param gpuPercent a kernel was running
 * @param memoryPercent device memory was being read or written
 */
public record Utilization(int gpuPercent, int memoryPercent) {
}
