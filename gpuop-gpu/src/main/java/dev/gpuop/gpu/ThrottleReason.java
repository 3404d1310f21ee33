package dev.gpuop.gpu;

import java.util.EnumSet;
import java.util.Set;

/** The bits of NVML's clocks-event (formerly throttle) reasons mask. */
public enum ThrottleReason {
    GPU_IDLE(0x1L), APPLICATIONS_CLOCKS_SETTING(0x2L), SW_POWER_CAP(0x4L), HW_SLOWDOWN(0x8L), SYNC_BOOST(0x10L),
    SW_THERMAL_SLOWDOWN(0x20L), HW_THERMAL_SLOWDOWN(0x40L), HW_POWER_BRAKE_SLOWDOWN(0x80L),
    DISPLAY_CLOCK_SETTING(0x100L);

    private final long mask;

    ThrottleReason(long mask) {
        this.mask = mask;
    }

    /** The bit in NVML's mask. */
    public long mask() {
        return mask;
    }

    /** The reasons whose bits are set. */
    public static Set<ThrottleReason> decode(long mask) {
        Set<ThrottleReason> set = EnumSet.noneOf(ThrottleReason.class);
        for (ThrottleReason r : values()) {
            if ((mask & r.mask) != 0) {
                set.add(r);
            }
        }
        return set;
    }
}
