package dev.gpuop.operator.upgrade;

import dev.gpuop.api.v1alpha1.DriverUpgradePolicySpec;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.time.Duration;
import java.util.Optional;

/**
 * NVIDIA's {@code driver.upgradePolicy} with its defaults filled in (those of NVIDIA's chart). The policy validator
 * has refused what is out of range before one is made.
 *
 * @param waitTimeout zero: wait for ever
 */
public record UpgradePolicy(boolean autoUpgrade, int maxParallelUpgrades, IntOrString maxUnavailable,
    Optional<String> waitSelector, Duration waitTimeout,
    boolean deletionForce, Duration deletionTimeout, boolean deletionEmptyDir,
    boolean drainEnabled, boolean drainForce, Optional<String> drainSelector, Duration drainTimeout,
    boolean drainEmptyDir) {

    /** How long a new driver has to pass validation before the node is marked failed (NVIDIA's 600 s). */
    public static final Duration VALIDATION_TIMEOUT = Duration.ofSeconds(600);

    /** The policy of a spec; absent fields take NVIDIA's chart defaults. */
    public static UpgradePolicy of(DriverUpgradePolicySpec s) {
        var wait = s.waitForCompletion() == null
            ? new DriverUpgradePolicySpec.WaitForCompletion(null, null) : s.waitForCompletion();
        var del = s.podDeletion() == null ? new DriverUpgradePolicySpec.PodDeletion(null, null, null) : s.podDeletion();
        var drain = s.drain() == null ? new DriverUpgradePolicySpec.Drain(null, null, null, null, null) : s.drain();
        return new UpgradePolicy(or(s.autoUpgrade(), true), or(s.maxParallelUpgrades(), 1),
            s.maxUnavailable() == null ? new IntOrString("25%") : s.maxUnavailable(),
            selector(wait.podSelector()), seconds(wait.timeoutSeconds(), 0),
            or(del.force(), false), seconds(del.timeoutSeconds(), 300), or(del.deleteEmptyDir(), false),
            or(drain.enable(), false), or(drain.force(), false), selector(drain.podSelector()),
            seconds(drain.timeoutSeconds(), 300), or(drain.deleteEmptyDir(), false));
    }

    /**
     * How many of {@code total} nodes may be unavailable at once: a count, or a percentage rounded up (as NVIDIA's),
     * never less than one so that an upgrade can always progress.
     */
    public int maxUnavailable(int total) {
        Object v = maxUnavailable.getIntVal() != null ? maxUnavailable.getIntVal() : maxUnavailable.getStrVal();
        int n = v instanceof Integer i ? i : percentOf(((String) v).strip(), total);
        return Math.max(1, n);
    }

    /** Upgrades that may run at once; {@code Integer.MAX_VALUE} where the policy says 0 (no limit). */
    public int parallelLimit() {
        return maxParallelUpgrades == 0 ? Integer.MAX_VALUE : maxParallelUpgrades;
    }

    private static int percentOf(String v, int total) {
        if (v.endsWith("%")) {
            int pct = Integer.parseInt(v.substring(0, v.length() - 1).strip());
            return (int) Math.ceil(pct * (double) total / 100);
        }
        return Integer.parseInt(v);
    }

    private static Optional<String> selector(String s) {
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.strip());
    }

    private static Duration seconds(Integer s, int dflt) {
        return Duration.ofSeconds(s == null ? dflt : s);
    }

    private static <T> T or(T v, T dflt) {
        return v == null ? dflt : v;
    }
}
