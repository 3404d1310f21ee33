package dev.gpuop.operator.upgrade;

import java.util.Arrays;

/**
 * NVIDIA's driver upgrade states, in their order, as the values of the node label
 * {@code nvidia.com/gpu-driver-upgrade-state}. The label is the only memory of an upgrade: an operator that restarts
 * mid-upgrade reads it back and goes on from there.
 */
public enum UpgradeState {
    UNKNOWN(""),
    UPGRADE_REQUIRED("upgrade-required"),
    CORDON_REQUIRED("cordon-required"),
    WAIT_FOR_JOBS_REQUIRED("wait-for-jobs-required"),
    POD_DELETION_REQUIRED("pod-deletion-required"),
    DRAIN_REQUIRED("drain-required"),
    POD_RESTART_REQUIRED("pod-restart-required"),
    VALIDATION_REQUIRED("validation-required"),
    UNCORDON_REQUIRED("uncordon-required"),
    UPGRADE_DONE("upgrade-done"),
    UPGRADE_FAILED("upgrade-failed");

    /** NVIDIA's node label that holds the state. */
    public static final String LABEL = "nvidia.com/gpu-driver-upgrade-state";

    private final String label;

    UpgradeState(String label) {
        this.label = label;
    }

    /** The label value. */
    public String label() {
        return label;
    }

    /** The state a label value names; a value gpuop does not know counts as unknown (the node starts over). */
    public static UpgradeState of(String value) {
        return Arrays.stream(values()).filter(s -> s.label.equals(value)).findFirst().orElse(UNKNOWN);
    }

    /** Whether a node in this state is taken out of service by the upgrade (counts against the limits). */
    public boolean inProgress() {
        return compareTo(CORDON_REQUIRED) >= 0 && compareTo(UNCORDON_REQUIRED) <= 0;
    }
}
