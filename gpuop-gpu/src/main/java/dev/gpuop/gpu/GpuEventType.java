package dev.gpuop.gpu;

import java.util.EnumSet;
import java.util.Set;

/** NVML's event kinds ({@code nvmlEventType*}), as the bit each one has in an event mask. */
public enum GpuEventType {
    SINGLE_BIT_ECC_ERROR(0x1L), DOUBLE_BIT_ECC_ERROR(0x2L), PSTATE(0x4L), XID_CRITICAL_ERROR(0x8L), CLOCK(0x10L),
    POWER_SOURCE_CHANGE(0x80L), MIG_CONFIG_CHANGE(0x100L), SINGLE_BIT_ECC_ERROR_STORM(0x200L),
    DRAM_RETIREMENT_EVENT(0x400L), DRAM_RETIREMENT_FAILURE(0x800L), NON_FATAL_POISON_ERROR(0x1000L),
    FATAL_POISON_ERROR(0x2000L), GPU_UNAVAILABLE_ERROR(0x4000L), GPU_RECOVERY_ACTION(0x8000L);

    private final long mask;

    GpuEventType(long mask) {
        this.mask = mask;
    }

    /** The bit in NVML's event mask. */
    public long mask() {
        return mask;
    }

    /** The OR of the masks of the given kinds. */
    public static long maskOf(Set<GpuEventType> types) {
        long m = 0;
        for (GpuEventType t : types) {
            m |= t.mask;
        }
        return m;
    }

    /** The kinds whose bits are set in the mask. */
    public static Set<GpuEventType> fromMask(long mask) {
        Set<GpuEventType> set = EnumSet.noneOf(GpuEventType.class);
        for (GpuEventType t : values()) {
            if ((mask & t.mask) != 0) {
                set.add(t);
            }
        }
        return set;
    }

    /** The single kind of an event's type field; {@code null} when NVML reports a kind this build does not know. */
    public static GpuEventType fromEventBit(long bit) {
        for (GpuEventType t : values()) {
            if (t.mask == bit) {
                return t;
            }
        }
        return null;
    }
}
