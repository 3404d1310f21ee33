package dev.gpuop.gpu;

import java.time.Instant;

/**
 * One event from the driver.
 *
 * @param gpuUuid the UUID of the full GPU the event is about
 * @param type the event kind
 * @param data the event's data; for {@link GpuEventType#XID_CRITICAL_ERROR} the XID (999 when the driver does not
 *     know it)
 * @param gpuInstanceId the MIG GPU instance, or -1 when the event is not about one
 * @param computeInstanceId the MIG compute instance, or -1
 * @param receivedAt when this process received the event
 */
public record GpuEvent(String gpuUuid, GpuEventType type, long data, int gpuInstanceId, int computeInstanceId,
                       Instant receivedAt) {

    /** True for an XID error event. */
    public boolean isXid() {
        return type == GpuEventType.XID_CRITICAL_ERROR;
    }
}
