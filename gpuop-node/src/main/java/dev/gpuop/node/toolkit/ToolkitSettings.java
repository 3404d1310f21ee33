package dev.gpuop.node.toolkit;

import java.util.ArrayList;
import java.util.List;

/**
 * What the toolkit step is asked to do, after flags, NVIDIA's environment names and host detection.
 *
 * @param runtimeName the main handler name ({@code CONTAINERD_RUNTIME_CLASS}, default {@code nvidia})
 * @param runtimeBinary the host's {@code nvidia-container-runtime}, or null when it has none
 * @param cdiRuntimeBinary the host's {@code nvidia-container-runtime.cdi}, or null (then {@code runtimeBinary})
 * @param cdiEnabled add the {@code <name>-cdi} handler and turn CDI on in containerd where it needs it
 * @param cdiDir where the CDI spec is written; added to {@code cdi_spec_dirs} when containerd would not look there
 * @param setAsDefault make the main handler containerd's default ({@code CONTAINERD_SET_AS_DEFAULT})
 * @param runtimeType the shim of the added handlers
 */
public record ToolkitSettings(String runtimeName, String runtimeBinary, String cdiRuntimeBinary, boolean cdiEnabled,
                              String cdiDir, boolean setAsDefault, String runtimeType) {

    /** The shim every handler uses unless told otherwise. */
    public static final String RUNC_V2 = "io.containerd.runc.v2";
    /** The dirs containerd reads CDI specs from when {@code cdi_spec_dirs} is not set. */
    public static final List<String> DEFAULT_CDI_DIRS = List.of("/etc/cdi", "/var/run/cdi");
    /** The annotations containerd must pass to the NVIDIA runtime in CDI mode. */
    public static final String CDI_ANNOTATIONS = "cdi.k8s.io/*";

    /** The handlers to add, main one first. */
    public List<RuntimeHandler> handlers() {
        List<RuntimeHandler> handlers = new ArrayList<>();
        handlers.add(new RuntimeHandler(runtimeName, runtimeBinary));
        if (cdiEnabled) {
            // the runtime in its default mode also resolves CDI annotations, so it stands in for the .cdi one
            handlers.add(new RuntimeHandler(runtimeName + "-cdi", cdiRuntimeBinary != null ? cdiRuntimeBinary
                : runtimeBinary));
        }
        return handlers;
    }

    /** The CDI dirs containerd should read: its defaults plus ours. */
    public List<String> cdiSpecDirs() {
        List<String> dirs = new ArrayList<>(DEFAULT_CDI_DIRS);
        if (cdiDir != null && !dirs.contains(cdiDir)) {
            dirs.add(cdiDir);
        }
        return dirs;
    }

    /** True when our CDI dir is one containerd reads anyway. */
    public boolean cdiDirIsDefault() {
        return cdiDir == null || DEFAULT_CDI_DIRS.contains(cdiDir);
    }
}
