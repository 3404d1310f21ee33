package dev.gpuop.node.toolkit;

import com.electronwill.nightconfig.core.Config;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code version} of a containerd config file, which decides where the CRI runtime settings live.
 * Version 1 (no {@code version} key) was removed in containerd 2.0 and is refused; versions 3 and 4 (containerd
 * 2.x) keep the runtime handlers and CDI keys in the {@code io.containerd.cri.v1.runtime} plugin.
 */
public enum ConfigVersion {
    V2(2, "io.containerd.grpc.v1.cri"),
    V3(3, "io.containerd.cri.v1.runtime"),
    V4(4, "io.containerd.cri.v1.runtime");

    private final int number;
    private final String runtimePluginId;

    ConfigVersion(int number, String runtimePluginId) {
        this.number = number;
        this.runtimePluginId = runtimePluginId;
    }

    /** The value of the {@code version} key. */
    public int number() {
        return number;
    }

    /** The config path of the CRI plugin that holds runtimes, {@code enable_cdi} and {@code cdi_spec_dirs}. */
    public List<String> runtimePlugin() {
        return List.of("plugins", runtimePluginId);
    }

    /** The config path of the runtime handlers table. */
    public List<String> runtimes() {
        return List.of("plugins", runtimePluginId, "containerd", "runtimes");
    }

    /** The config path of {@code default_runtime_name}. */
    public List<String> defaultRuntimeName() {
        return List.of("plugins", runtimePluginId, "containerd", "default_runtime_name");
    }

    /** The version of a number, or a clear refusal naming the file. */
    public static ConfigVersion of(long number, Path file) {
        for (ConfigVersion v : values()) {
            if (v.number == number) {
                return v;
            }
        }
        String fix = number <= 1
            ? "version 1 configs are gone from containerd 2.0; run `containerd config migrate` and retry"
            : "this gpuop knows config versions 2, 3 and 4; upgrade gpuop or point it at another file";
        throw new ToolkitException(file, "containerd config version " + number + " is not one gpuop knows", fix);
    }

    /** Reads the {@code version} key of a parsed config; a non-empty file without it is version 1. */
    public static ConfigVersion of(Config config, Path file) {
        Object v = config.get("version");
        if (v == null) {
            return of(1, file);
        }
        // containerd decodes it into an int: 3.0 is an error there, and 2^32 + 2 must not pass for 2 here
        if (!(v instanceof Integer) && !(v instanceof Long)) {
            throw new ToolkitException(file, "the top-level `version` is " + ContainerdToml.shown(v)
                + ", not a whole number", "set `version = 2` (containerd 1.x) or `version = 3` (containerd 2.x)");
        }
        return of(((Number) v).longValue(), file);
    }
}
