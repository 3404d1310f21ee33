package dev.gpuop.gpu;

/**
 * Frame-buffer memory in bytes, with NVML v2 semantics: {@code total = reserved + used + free}, where reserved is
 * what the driver keeps for itself and used is what processes allocated. (NVML v1's "used" counted both.)
 */
public record MemoryInfo(long totalBytes, long reservedBytes, long freeBytes, long usedBytes) {
}
