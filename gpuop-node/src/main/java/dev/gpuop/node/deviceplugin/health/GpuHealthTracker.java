package dev.gpuop.node.deviceplugin.health;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The health state machine of each full GPU (MIG devices follow their GPU). Unlike NVIDIA's plugin, where one
 * XID makes a GPU unhealthy until the plugin restarts, a GPU marked unhealthy by an XID that a reset does not need
 * to clear returns to healthy once the driver has read it cleanly for {@code recoveryPeriod}. A GPU that fell off
 * the bus, or whose XID means memory that only a reset repairs, stays unhealthy. Pure: times come in as arguments.
 */
public final class GpuHealthTracker {

    /**
     * XIDs after which only a GPU reset (or reboot) helps: 48 double-bit ECC, 62/64 internal micro-controller
     * halts and ECC page retirement failures, 74 NVLink, 79 fallen off the bus, 92 high single-bit ECC rate,
     * 94/95 contained/uncontained ECC, 119/120 GSP errors, 140 unrecovered ECC.
     */
    public static final Set<Long> NEEDS_RESET = Set.of(48L, 62L, 64L, 74L, 79L, 92L, 94L, 95L, 119L, 120L, 140L);

    private record State(boolean healthy, boolean permanent, Instant cleanSince, String reason) {
    }

    private final XidPolicy policy;
    private final Duration recoveryPeriod;
    private final Map<String, State> states = new HashMap<>();

    /**
     * @param recoveryPeriod how long a GPU must read cleanly before it is healthy again; zero turns recovery off
     */
    public GpuHealthTracker(XidPolicy policy, Duration recoveryPeriod, List<String> gpuUuids) {
        this.policy = policy;
        this.recoveryPeriod = recoveryPeriod;
        gpuUuids.forEach(u -> states.put(u, new State(true, false, null, null)));
    }

    /** Whether a GPU is healthy now. */
    public synchronized boolean isHealthy(String gpuUuid) {
        State s = states.get(gpuUuid);
        return s == null || s.healthy();
    }

    /** An XID on a GPU; unknown GPUs and non-fatal XIDs change nothing. */
    public synchronized Optional<HealthTransition> onXid(String gpuUuid, long xid, Instant now) {
        State s = states.get(gpuUuid);
        if (s == null || !policy.isFatal(xid)) {
            return Optional.empty();
        }
        boolean permanent = NEEDS_RESET.contains(xid) || s.permanent();
        states.put(gpuUuid, new State(false, permanent, null, "XID " + xid));
        return s.healthy() ? Optional.of(new HealthTransition(gpuUuid, false, "XID " + xid
            + (permanent ? " (needs a GPU reset)" : ""), now)) : Optional.empty();
    }

    /** The driver could not read the GPU (e.g. GPU_IS_LOST): unhealthy until it reads cleanly again. */
    public synchronized Optional<HealthTransition> onReadFailure(String gpuUuid, String error, boolean lost,
                                                                 Instant now) {
        State s = states.get(gpuUuid);
        if (s == null) {
            return Optional.empty();
        }
        states.put(gpuUuid, new State(false, s.permanent() || lost, null, error));
        return s.healthy() ? Optional.of(new HealthTransition(gpuUuid, false, error, now)) : Optional.empty();
    }

    /** A clean read of the GPU: starts or continues its recovery period, and ends it when the period is over. */
    public synchronized Optional<HealthTransition> onCleanRead(String gpuUuid, Instant now) {
        State s = states.get(gpuUuid);
        if (s == null || s.healthy() || s.permanent() || recoveryPeriod.isZero()) {
            return Optional.empty();
        }
        Instant since = s.cleanSince() == null ? now : s.cleanSince();
        if (Duration.between(since, now).compareTo(recoveryPeriod) >= 0) {
            states.put(gpuUuid, new State(true, false, null, null));
            return Optional.of(new HealthTransition(gpuUuid, true, "reads clean for " + recoveryPeriod
                + " after " + s.reason(), now));
        }
        states.put(gpuUuid, new State(false, false, since, s.reason()));
        return Optional.empty();
    }
}
