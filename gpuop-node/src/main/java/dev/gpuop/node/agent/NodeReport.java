package dev.gpuop.node.agent;

import dev.gpuop.node.labels.GfdLabels;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the node agent tells the operator about its node, on the Node object: whether a driver is pre-installed
 * (then the operator never runs its driver container there: the seed's reboot loop), how many GPUs it serves, and
 * whether it is ready and why not. Pure: {@link #changes} says what to write, so an unchanged node costs no write.
 *
 * @param driverPreinstalled the host's own driver is loaded (not one from gpuop's driver container)
 * @param gpus GPUs the agent reads (0 when it cannot read any)
 * @param ready the agent's /readyz verdict
 * @param reason why it is not ready, or empty
 * @param nvidiaOnPci an NVIDIA GPU is on the PCI bus (or simulated), driver or not
 * @param featureLabels GPU feature discovery's labels ({@link GfdLabels}); empty when off or no GPU is read
 * @param validation the node checks: {@code passed}, or the first failed stage and why ({@code plugin: not
 *     registered ...}); empty before they ran or where they do not run
 */
public record NodeReport(boolean driverPreinstalled, int gpus, boolean ready, String reason, boolean nvidiaOnPci,
                         Map<String, String> featureLabels, String validation) {

    public NodeReport {
        featureLabels = featureLabels == null ? Map.of() : Map.copyOf(featureLabels);
        validation = validation == null ? "" : validation;
    }

    /** A report without the node checks. */
    public NodeReport(boolean driverPreinstalled, int gpus, boolean ready, String reason, boolean nvidiaOnPci,
                      Map<String, String> featureLabels) {
        this(driverPreinstalled, gpus, ready, reason, nvidiaOnPci, featureLabels, "");
    }

    /** A report of a node whose GPUs the agent reads (so they are on the bus when there are any). */
    public NodeReport(boolean driverPreinstalled, int gpus, boolean ready, String reason) {
        this(driverPreinstalled, gpus, ready, reason, gpus > 0, Map.of());
    }

    /** A report without feature labels. */
    public NodeReport(boolean driverPreinstalled, int gpus, boolean ready, String reason, boolean nvidiaOnPci) {
        this(driverPreinstalled, gpus, ready, reason, nvidiaOnPci, Map.of());
    }

    /** Annotation: {@code "true"} when the host's own driver is loaded. */
    public static final String DRIVER_PREINSTALLED = "gpuop.dev/driver-preinstalled";
    /** Annotation: number of GPUs the node agent reads. */
    public static final String GPU_COUNT = "gpuop.dev/gpu-count";
    /** Annotation: the node checks' verdict, {@code passed} or {@code <stage>: <why>}. */
    public static final String VALIDATION = "gpuop.dev/validation";
    /** Annotation: {@code ready} or {@code notReady}. */
    public static final String STATE = "gpuop.dev/node-agent-state";
    /** Annotation: why the agent is not ready (empty when ready). */
    public static final String REASON = "gpuop.dev/node-agent-reason";
    /** The label GPU nodes carry; the agent's own PCI scan sets it so that NFD is optional. */
    public static final String GPU_PRESENT = "nvidia.com/gpu.present";

    /** The annotations this report means. */
    public Map<String, String> annotations() {
        Map<String, String> a = new LinkedHashMap<>();
        a.put(DRIVER_PREINSTALLED, Boolean.toString(driverPreinstalled));
        a.put(GPU_COUNT, Integer.toString(gpus));
        a.put(STATE, ready ? "ready" : "notReady");
        a.put(REASON, reason == null ? "" : reason);
        if (!validation.isEmpty()) {
            a.put(VALIDATION, validation);
        }
        return a;
    }

    /**
     * The annotation values to write, given the node's current ones; empty when nothing changed.
     */
    public Map<String, String> annotationChanges(Map<String, String> current) {
        return differing(annotations(), current);
    }

    /** The entries of {@code wanted} whose value {@code current} does not have. */
    private static Map<String, String> differing(Map<String, String> wanted, Map<String, String> current) {
        Map<String, String> changes = new LinkedHashMap<>();
        wanted.forEach((k, v) -> {
            if (!v.equals(current == null ? null : current.get(k))) {
                changes.put(k, v);
            }
        });
        return changes;
    }

    /**
     * The {@code nvidia.com/gpu.present} label to write, if any: only when the label is absent or empty, so a value
     * a user (or NFD rules) set is never overwritten. {@code true} when GPUs are read or an NVIDIA device is on the
     * PCI bus (the driver may not be there yet); {@code false} otherwise, which is how the operator's discovery pods
     * leave a node without GPUs for good when no NFD runs.
     */
    public Optional<String> gpuPresentLabel(Map<String, String> currentLabels) {
        String v = currentLabels == null ? null : currentLabels.get(GPU_PRESENT);
        if (v != null && !v.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(gpus > 0 || nvidiaOnPci ? "true" : "false");
    }

    /**
     * The labels to write given the node's current ones: {@code nvidia.com/gpu.present} as {@link #gpuPresentLabel}
     * says, and every feature label whose value differs (they are facts of the hardware, so the agent's value wins).
     */
    public Map<String, String> labelChanges(Map<String, String> currentLabels) {
        Map<String, String> changes = new LinkedHashMap<>();
        gpuPresentLabel(currentLabels).ifPresent(v -> changes.put(GPU_PRESENT, v));
        changes.putAll(differing(featureLabels, currentLabels));
        if (!featureLabels.isEmpty() && currentLabels != null) {
            // a GFD label that no longer applies (a MIG profile gone, sharing off) goes: null removes it in the
            // merge patch; users' own nvidia.com/ labels are not GFD's and stay
            currentLabels.keySet().stream().filter(k -> GfdLabels.owns(k) && !featureLabels.containsKey(k)).sorted()
                .forEach(k -> changes.put(k, null));
        }
        return changes;
    }

    /** Both kinds of change at once, for the caller that patches. */
    public boolean changes(Map<String, String> labels, Map<String, String> annotations) {
        return !annotationChanges(annotations).isEmpty() || !labelChanges(labels).isEmpty();
    }
}
