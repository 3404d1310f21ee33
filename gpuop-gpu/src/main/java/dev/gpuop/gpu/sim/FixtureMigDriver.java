package dev.gpuop.gpu.sim;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * How the simulated driver answers MIG changes: how long each call takes, and whether the platform lets it reset
 * a GPU (bare metal does; a pass-through VM does not, and a mode change then waits for a reboot).
 *
 * @param setModeMillis {@code nvmlDeviceSetMigMode}, its GPU reset included
 * @param createMillis  creating one GPU instance and its compute instance
 * @param destroyMillis destroying one GPU instance and its compute instance
 * @param resetExposed  false where the driver cannot reset the GPU itself (absent: true)
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record FixtureMigDriver(long setModeMillis, long createMillis, long destroyMillis, Boolean resetExposed) {

    /** Instant calls, reset exposed. */
    public static final FixtureMigDriver INSTANT = new FixtureMigDriver(0, 0, 0, true);

    boolean resetExposedOrDefault() {
        return resetExposed == null || resetExposed;
    }
}
