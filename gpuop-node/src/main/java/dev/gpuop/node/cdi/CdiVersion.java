package dev.gpuop.node.cdi;

import java.util.regex.Pattern;

/**
 * The lowest {@code cdiVersion} a spec needs, by the CDI rules for the fields gpuop emits: 0.5.0 for a device
 * name starting with a digit or a device node with a {@code hostPath}, else 0.3.0. Emitting the minimum keeps the
 * spec readable by the oldest runtime that can use it.
 */
public final class CdiVersion {

    /** The baseline version. */
    public static final String V0_3_0 = "0.3.0";
    /** Digit-leading device names and device-node host paths. */
    public static final String V0_5_0 = "0.5.0";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_.:-]*[A-Za-z0-9])?");
    private static final Pattern VENDOR_OR_CLASS = Pattern.compile("[A-Za-z]([A-Za-z0-9_.-]*[A-Za-z0-9])?");

    private CdiVersion() {
    }

    /** The minimum version for the spec's content. */
    public static String minimum(CdiSpec spec) {
        boolean digitName = spec.devices().stream().anyMatch(d -> Character.isDigit(d.name().charAt(0)));
        boolean hostPath = spec.devices().stream().map(CdiDevice::containerEdits)
            .anyMatch(CdiVersion::hasHostPath) || (spec.containerEdits() != null && hasHostPath(spec.containerEdits()));
        return digitName || hostPath ? V0_5_0 : V0_3_0;
    }

    private static boolean hasHostPath(ContainerEdits edits) {
        return edits.deviceNodes().stream().anyMatch(n -> n.hostPath() != null);
    }

    /** True when the name is a valid CDI device name. */
    public static boolean validDeviceName(String name) {
        return NAME.matcher(name).matches();
    }

    /** True when the kind is {@code vendor/class} with valid parts (the vendor may hold dots). */
    public static boolean validKind(String kind) {
        int slash = kind.indexOf('/');
        return slash > 0 && VENDOR_OR_CLASS.matcher(kind.substring(0, slash)).matches()
            && VENDOR_OR_CLASS.matcher(kind.substring(slash + 1)).matches();
    }
}
