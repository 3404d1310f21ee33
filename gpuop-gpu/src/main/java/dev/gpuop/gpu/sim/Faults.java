package dev.gpuop.gpu.sim;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.gpuop.gpu.NvmlReturn;
import java.util.List;

/**
 * Faults a simulated host injects; times are milliseconds after the host was opened, on the host's clock.
 *
 * @param initFailure NVML's init fails with this code (e.g. {@code ERROR_DRIVER_NOT_LOADED}); null for none
 * @param nvmlMissing the NVML library is not installed at all (absent means false)
 * @param xidEvents XID errors the driver reports
 * @param fallOffBus GPUs that fall off the bus: every later call fails with {@code GPU_IS_LOST}, and XID 79 is sent
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record Faults(NvmlReturn initFailure, Boolean nvmlMissing, List<XidFault> xidEvents,
                     List<BusFault> fallOffBus) {

    /** No faults. */
    public static final Faults NONE = new Faults(null, false, List.of(), List.of());

    /** The XID NVIDIA's driver reports when a GPU falls off the bus. */
    public static final int XID_FALLEN_OFF_BUS = 79;

    public Faults {
        nvmlMissing = Boolean.TRUE.equals(nvmlMissing);
        xidEvents = xidEvents == null ? List.of() : List.copyOf(xidEvents);
        fallOffBus = fallOffBus == null ? List.of() : List.copyOf(fallOffBus);
    }

    /**
     * An XID error on one GPU at a given time.
     *
     * @param gpu NVML index
     * @param xid the XID
     * @param atMillis when, after open
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record XidFault(int gpu, long xid, long atMillis) {
    }

    /**
     * A GPU that falls off the bus.
     *
     * @param gpu NVML index
     * @param atMillis when, after open
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record BusFault(int gpu, long atMillis) {
    }
}
