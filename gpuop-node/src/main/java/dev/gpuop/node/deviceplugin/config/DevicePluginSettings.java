package dev.gpuop.node.deviceplugin.config;

import dev.gpuop.node.agent.JsonFieldErrors;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The device plugin's settings, validated and typed, with NVIDIA's precedence: environment variable over config
 * file over default. Every refusal names the field as the config file spells it.
 *
 * @param migStrategy how MIG devices are advertised
 * @param failOnInitError exit when the driver cannot be read, instead of idling (a DaemonSet on non-GPU nodes)
 * @param deviceListStrategies how Allocate passes devices; never empty
 * @param indexIds device IDs are NVML indexes instead of UUIDs ({@code deviceIDStrategy: index})
 * @param passDeviceSpecs also return the device nodes in Allocate (for the CPU manager)
 * @param cdiAnnotationPrefix the annotation key prefix of the cdi-annotations strategy
 * @param devRoot where {@code /dev} of the host is seen from the plugin
 * @param gdsEnabled pass {@code NVIDIA_GDS=enabled}
 * @param mofedEnabled pass {@code NVIDIA_MOFED=enabled}
 * @param gdrcopyEnabled pass {@code NVIDIA_GDRCOPY=enabled}
 * @param replication time-slicing or MPS, if configured
 * @param mpsRoot the host's directory of the MPS daemons' pipes, logs and shared memory ({@code flags.mpsRoot},
 *     {@code MPS_ROOT}; NVIDIA's chart: {@code /run/nvidia/mps})
 */
public record DevicePluginSettings(MigStrategy migStrategy, boolean failOnInitError,
                                   Set<DeviceListStrategy> deviceListStrategies, boolean indexIds,
                                   boolean passDeviceSpecs, String cdiAnnotationPrefix, String devRoot,
                                   boolean gdsEnabled, boolean mofedEnabled, boolean gdrcopyEnabled,
                                   Optional<Replication> replication, String mpsRoot) {

    /** NVIDIA's chart's {@code devicePlugin.mps.root}. */
    public static final String DEFAULT_MPS_ROOT = "/run/nvidia/mps";

    /** The defaults of NVIDIA's plugin. */
    public static final DevicePluginSettings DEFAULTS = from(new PluginConfigFile(null, null, null), Map.of());

    public DevicePluginSettings {
        deviceListStrategies = Set.copyOf(deviceListStrategies);
    }

    /** Validates a parsed file, applying the environment's overrides (MIG_STRATEGY, DEVICE_LIST_STRATEGY, ...). */
    public static DevicePluginSettings from(PluginConfigFile file, Map<String, String> env) {
        if (file.version() != null && !file.version().equals("v1")) {
            throw new InvalidConfigException("version: '" + shown(file.version()) + "' is not supported; use v1");
        }
        PluginConfigFile.Flags f = file.flags() == null
            ? new PluginConfigFile.Flags(null, null, null, null, null, null, null, null, null) : file.flags();
        PluginConfigFile.PluginFlags p = f.plugin() == null
            ? new PluginConfigFile.PluginFlags(null, null, null, null) : f.plugin();
        String mig = env.getOrDefault("MIG_STRATEGY", f.migStrategy());
        List<String> lists = env.containsKey("DEVICE_LIST_STRATEGY")
            ? List.of(env.get("DEVICE_LIST_STRATEGY").split(",")) : p.deviceListStrategy();
        String ids = env.getOrDefault("DEVICE_ID_STRATEGY", p.deviceIdStrategy());
        String driverRoot = env.getOrDefault("NVIDIA_DRIVER_ROOT", f.nvidiaDriverRoot());
        String devRoot = env.getOrDefault("NVIDIA_DEV_ROOT", f.nvidiaDevRoot());
        MigStrategy migStrategy = migStrategy(mig, origin(env, "MIG_STRATEGY", "flags.migStrategy"));
        Optional<Replication> replication = replication(file.sharing());
        if (migStrategy == MigStrategy.MIXED && replication.map(r -> r.kind() == Replication.Kind.MPS).orElse(false)) {
            // an MPS server serves whole GPUs; NVIDIA's plugin refuses the same combination
            String strategy = origin(env, "MIG_STRATEGY", "flags.migStrategy");
            throw new InvalidConfigException("sharing.mps and " + strategy + ": MPS cannot share MIG devices, and "
                + strategy + " is mixed; use time-slicing, or MIG strategy none or single");
        }
        return new DevicePluginSettings(
            migStrategy,
            bool(env, "FAIL_ON_INIT_ERROR", f.failOnInitError(), true),
            listStrategies(lists, origin(env, "DEVICE_LIST_STRATEGY", "flags.plugin.deviceListStrategy")),
            indexIds(ids, origin(env, "DEVICE_ID_STRATEGY", "flags.plugin.deviceIDStrategy")),
            bool(env, "PASS_DEVICE_SPECS", p.passDeviceSpecs(), false),
            env.getOrDefault("CDI_ANNOTATION_PREFIX", p.cdiAnnotationPrefix() == null ? "cdi.k8s.io/"
                : p.cdiAnnotationPrefix()),
            devRoot != null ? devRoot : driverRoot != null ? driverRoot : "/",
            bool(env, "GDS_ENABLED", f.gdsEnabled(), false),
            bool(env, "MOFED_ENABLED", f.mofedEnabled(), false),
            bool(env, "GDRCOPY_ENABLED", f.gdrcopyEnabled(), false),
            replication,
            mpsRoot(env.getOrDefault("MPS_ROOT", f.mpsRoot()), origin(env, "MPS_ROOT", "flags.mpsRoot")));
    }

    /** The settings when there is no config file: defaults plus the environment. */
    public static DevicePluginSettings fromEnv(Map<String, String> env) {
        return from(new PluginConfigFile(null, null, null), env);
    }

    /** True when Allocate should pass the env var / mounts (only CDI strategies skip them). */
    public boolean needsRuntimeHints() {
        return deviceListStrategies.stream().anyMatch(s -> !s.isCdi());
    }

    /**
     * Where a value came from, for its refusal: the environment variable when it overrides the file, since the
     * file's field may be fine and sending the admin there would hide the real cause.
     */
    private static String origin(Map<String, String> env, String variable, String field) {
        return env.containsKey(variable) ? variable : field;
    }

    private static MigStrategy migStrategy(String value, String origin) {
        if (value == null || value.isBlank()) {
            return MigStrategy.NONE;
        }
        try {
            return MigStrategy.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(origin + ": '" + shown(value) + "' is not one of none, single, mixed");
        }
    }

    private static Set<DeviceListStrategy> listStrategies(List<String> values, String origin) {
        if (values == null || values.isEmpty()) {
            return EnumSet.of(DeviceListStrategy.ENVVAR);
        }
        Set<DeviceListStrategy> set = EnumSet.noneOf(DeviceListStrategy.class);
        for (String v : values) {
            // a null entry (`- ` or `[null]` in YAML) is refused like any other unknown name
            DeviceListStrategy s = java.util.Arrays.stream(DeviceListStrategy.values())
                .filter(x -> v != null && x.configName().equals(v.trim())).findFirst()
                .orElseThrow(() -> new InvalidConfigException(origin + ": '" + shown(v)
                    + "' is not one of envvar, volume-mounts, cdi-annotations, cdi-cri"));
            set.add(s);
        }
        return set;
    }

    private static String mpsRoot(String value, String origin) {
        if (value == null || value.isBlank()) {
            return DEFAULT_MPS_ROOT;
        }
        if (!value.startsWith("/")) {
            // the kubelet mounts it into pods: a relative host path has no meaning there
            throw new InvalidConfigException(origin + ": '" + shown(value) + "' must be an absolute path");
        }
        return value;
    }

    private static boolean indexIds(String value, String origin) {
        if (value == null || value.isBlank() || value.equals("uuid")) {
            return false;
        }
        if (value.equals("index")) {
            return true;
        }
        throw new InvalidConfigException(origin + ": '" + shown(value) + "' is not one of uuid, index");
    }

    private static boolean bool(Map<String, String> env, String name, Boolean file, boolean dflt) {
        String v = env.get(name);
        if (v != null) {
            if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                throw new InvalidConfigException(name + ": '" + shown(v) + "' is not true or false");
            }
            return Boolean.parseBoolean(v);
        }
        return file == null ? dflt : file;
    }

    /** A value from the file as a refusal quotes it: a control character in it must not break the line. */
    private static String shown(String value) {
        return JsonFieldErrors.printable(String.valueOf(value));
    }

    private static Optional<Replication> replication(PluginConfigFile.Sharing sharing) {
        if (sharing == null || sharing.timeSlicing() == null && sharing.mps() == null) {
            return Optional.empty();
        }
        if (sharing.timeSlicing() != null && sharing.mps() != null) {
            throw new InvalidConfigException("sharing: timeSlicing and mps cannot both be set");
        }
        boolean mps = sharing.mps() != null;
        PluginConfigFile.Replication r = mps ? sharing.mps() : sharing.timeSlicing();
        String field = mps ? "sharing.mps" : "sharing.timeSlicing";
        Map<String, Integer> replicas = new LinkedHashMap<>();
        List<PluginConfigFile.ReplicatedResource> resources = r.resources() == null ? List.of() : r.resources();
        for (int i = 0; i < resources.size(); i++) {
            PluginConfigFile.ReplicatedResource res = resources.get(i);
            String at = field + ".resources[" + i + "]";
            if (res == null) {
                // YAML reads a bare `-` as a null entry, not as one without fields
                throw new InvalidConfigException(at + ": empty; each entry needs a name and replicas");
            }
            if (res.name() == null || !res.name().startsWith("nvidia.com/")) {
                throw new InvalidConfigException(at + ".name: '" + shown(res.name())
                    + "' must be a nvidia.com/ resource");
            }
            if (res.replicas() == null || res.replicas() < 2) {
                throw new InvalidConfigException(at + ".replicas: " + res.replicas() + " must be 2 or more");
            }
            if (replicas.put(res.name(), res.replicas()) != null) {
                throw new InvalidConfigException(at + ".name: '" + shown(res.name()) + "' is listed twice");
            }
        }
        boolean failGreater = r.failRequestsGreaterThanOne() == null ? mps : r.failRequestsGreaterThanOne();
        return Optional.of(new Replication(mps ? Replication.Kind.MPS : Replication.Kind.TIME_SLICING,
            Boolean.TRUE.equals(r.renameByDefault()), failGreater, replicas));
    }
}
