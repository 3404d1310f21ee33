package dev.gpuop.cli;

import dev.gpuop.node.toolkit.RuntimeBinaries;
import dev.gpuop.node.toolkit.ToolkitSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** What install adds (and status compares against); flags first, then NVIDIA's environment names. */
final class ToolkitSettingsOptions {

    @Option(names = "--cdi-dir", paramLabel = "DIR",
        description = "Where the CDI spec goes (env CDI_OUTPUT_DIR; default: /var/run/cdi).")
    Path cdiDir;

    @Option(names = "--no-cdi", description = "No nvidia-cdi handler, no CDI keys, no spec (env CDI_ENABLED=false).")
    boolean noCdi;

    @Option(names = "--set-as-default",
        description = "Make nvidia containerd's default runtime (env CONTAINERD_SET_AS_DEFAULT).")
    boolean setAsDefault;

    @Option(names = "--runtime-name", paramLabel = "NAME",
        description = "The handler name (env CONTAINERD_RUNTIME_CLASS, NVIDIA_RUNTIME_NAME; default: nvidia).")
    String runtimeName;

    @Option(names = "--runtime-path", paramLabel = "PATH",
        description = "The host's nvidia-container-runtime (default: found in /usr/local/nvidia/toolkit, /usr/bin).")
    String runtimePath;

    ToolkitSettings settings(Path hostRoot) {
        String name = runtimeName != null ? runtimeName
            : orDefault(ContainerdOptions.envValue("CONTAINERD_RUNTIME_CLASS", "NVIDIA_RUNTIME_NAME"), "nvidia");
        String dir = cdiDir != null ? cdiDir.toString()
            : orDefault(ContainerdOptions.envValue("CDI_OUTPUT_DIR"), "/var/run/cdi");
        boolean cdiOn = !noCdi && ContainerdOptions.envFlag(true, "CDI_ENABLED", "ENABLE_CDI", "RUNTIME_ENABLE_CDI");
        boolean asDefault = setAsDefault
            || ContainerdOptions.envFlag(false, "CONTAINERD_SET_AS_DEFAULT", "NVIDIA_RUNTIME_SET_AS_DEFAULT");
        String binary = runtimePath != null ? runtimePath : RuntimeBinaries.find(hostRoot, RuntimeBinaries.RUNTIME);
        return new ToolkitSettings(name, binary, RuntimeBinaries.find(hostRoot, RuntimeBinaries.RUNTIME_CDI), cdiOn,
            dir, asDefault, orDefault(ContainerdOptions.envValue("CONTAINERD_RUNTIME_TYPE"), ToolkitSettings.RUNC_V2));
    }

    private static String orDefault(String v, String dflt) {
        return v == null ? dflt : v;
    }
}
