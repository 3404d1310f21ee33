package dev.gpuop.node.deviceplugin.health;

import java.time.Instant;

/**
 * A GPU changing health, for the log, the metrics and the device plugin's next ListAndWatch snapshot.
 *
 * @param gpuUuid the full GPU
 * @param healthy the new state
 * @param reason why, in words (e.g. "XID 48", "NVML reads clean for PT1M")
 * @param at when
 */
public record HealthTransition(String gpuUuid, boolean healthy, String reason, Instant at) {
}
