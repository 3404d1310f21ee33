package dev.gpuop.node.agent;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.gpuop.node.deviceplugin.config.InvalidConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * The node agent's config file: what the operator renders into its ConfigMap, or what an admin writes for a
 * standalone agent. Unknown fields are refused, so a typo does not silently leave a part off.
 *
 * @param nodeName the node's name (default: the NODE_NAME variable, else the host name)
 * @param devicePlugin the device plugin part
 * @param server the health and metrics endpoint
 * @param discoveryOnly start no part: only report on the Node whether an NVIDIA GPU is on the PCI bus and whether
 *     a host driver is loaded (the operator's discovery pods, when no NFD labels GPU nodes)
 * @param featureLabels the GPU feature labels part
 * @param exporter the GPU metrics part (dcgm-exporter's names and port)
 * @param cdi the node's CDI spec, kept true to its driver
 * @param validation NVIDIA's status files of the node checks
 * @param migManager NVIDIA's MIG manager: the layout the node's {@code nvidia.com/mig.config} label names
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record NodeAgentConfig(String nodeName, DevicePlugin devicePlugin, Server server, Boolean discoveryOnly,
                              PartSwitch featureLabels, Exporter exporter, Cdi cdi, Validation validation,
                              MigManager migManager) {

    /**
     * NVIDIA's names of the parts a node switches off with its {@code nvidia.com/gpu.deploy.<part>} label, which
     * the operator passes as {@code --parts-off}.
     */
    public static final java.util.List<String> SWITCHABLE_PARTS = java.util.List.of("device-plugin",
        "gpu-feature-discovery", "dcgm-exporter");

    /**
     * This config with the named parts off (NVIDIA's names, {@link #SWITCHABLE_PARTS}).
     *
     * @throws IllegalArgumentException naming an unknown part and the known ones
     */
    public NodeAgentConfig withPartsOff(java.util.Collection<String> parts) {
        for (String p : parts) {
            if (!SWITCHABLE_PARTS.contains(p)) {
                throw new IllegalArgumentException("unknown part '" + p + "': the parts a node can switch off are "
                    + String.join(", ", SWITCHABLE_PARTS));
            }
        }
        DevicePlugin dp = parts.contains("device-plugin") ? new DevicePlugin(false, devicePlugin.kubeletDir(),
            devicePlugin.configFile(), devicePlugin.config(), devicePlugin.healthRecoveryPeriod(),
            devicePlugin.healthPollInterval(), devicePlugin.mpsDir()) : devicePlugin;
        PartSwitch labels = parts.contains("gpu-feature-discovery") ? new PartSwitch(false) : featureLabels;
        Exporter metrics = parts.contains("dcgm-exporter")
            ? new Exporter(false, exporter == null ? null : exporter.port()) : exporter;
        return new NodeAgentConfig(nodeName, dp, server, discoveryOnly, labels, metrics, cdi, validation, migManager);
    }

    /** A config that runs the agent's parts. */
    public NodeAgentConfig(String nodeName, DevicePlugin devicePlugin, Server server) {
        this(nodeName, devicePlugin, server, null, null, null, null, null, null);
    }

    /**
     * The MIG manager part: when the node's {@code nvidia.com/mig.config} label names a layout of the mig-parted
     * config, the agent applies it and reports in {@code nvidia.com/mig.config.state}.
     *
     * @param enabled run the part (default false: a node without the operator's MIG manager keeps its layout)
     * @param configFile the mig-parted config (a user's ConfigMap, mounted); absent: the layouts gpuop makes for the
     *     node's own GPUs ({@code DefaultMigLayouts})
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record MigManager(Boolean enabled, String configFile) {

        public boolean isEnabled() {
            return enabled != null && enabled;
        }
    }

    /**
     * The node checks (driver, toolkit, CUDA, plugin) and NVIDIA's status files ({@code driver-ready}, ...).
     *
     * @param dir where the files go ({@code /run/nvidia/validations}); none when absent (a standalone agent)
     * @param interval how often the checks run (default 30s)
     * @param cuda whether the CUDA vector add runs (default true; NVIDIA's {@code validator.cuda.env}
     *     {@code WITH_WORKLOAD=false} turns it off)
     * @param workload the plugin stage's workload pod; none when absent (a standalone agent)
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Validation(String dir, String interval, Boolean cuda, Workload workload) {

        public Duration intervalOrDefault() {
            return duration("validation.interval", interval, Duration.ofSeconds(30));
        }

        public boolean cudaOrDefault() {
            return cuda == null || cuda;
        }
    }

    /**
     * The workload pod of the plugin stage (NVIDIA's plugin validation): where and what it runs.
     *
     * @param namespace the agent's namespace
     * @param image the pod's image
     * @param imagePullPolicy its pull policy (default IfNotPresent)
     * @param runtimeClass the runtime class (default nvidia)
     * @param resource the resource it asks one of (default nvidia.com/gpu)
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Workload(String namespace, String image, String imagePullPolicy, String runtimeClass,
                           String resource) {

        /**
         * The pod's settings, with the defaults filled in.
         *
         * @param ownerPod the agent's pod ({@code name/uid}, from the downward API), or null
         */
        public dev.gpuop.node.validation.WorkloadPod.Settings settings(String ownerPod) {
            return new dev.gpuop.node.validation.WorkloadPod.Settings(namespace, image,
                imagePullPolicy == null ? "IfNotPresent" : imagePullPolicy,
                runtimeClass == null ? "nvidia" : runtimeClass, resource == null ? "nvidia.com/gpu" : resource,
                ownerPod);
        }
    }

    /**
     * The CDI spec part: where the toolkit step turned CDI on, the agent writes the spec again whenever the driver
     * changes (an upgrade, a driver container that comes up after the agent).
     *
     * @param enabled keep the spec (default false: a standalone agent leaves CDI to its admin)
     * @param specDir where the spec is (default {@code /var/run/cdi})
     * @param toolkitStateDir the toolkit step's record of what it wrote (default {@code /var/lib/gpuop/toolkit})
     * @param refreshInterval how often the driver is looked at (default 30s)
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Cdi(Boolean enabled, String specDir, String toolkitStateDir, String refreshInterval) {

        public boolean isEnabled() {
            return enabled != null && enabled;
        }

        public Path specDirPath() {
            return Path.of(specDir == null ? "/var/run/cdi" : specDir);
        }

        public Path toolkitStateDirPath() {
            return Path.of(toolkitStateDir == null ? "/var/lib/gpuop/toolkit" : toolkitStateDir);
        }

        public Duration interval() {
            return duration("cdi.refreshInterval", refreshInterval, Duration.ofSeconds(30));
        }
    }

    /** The CDI part's settings (off when absent). */
    public Cdi cdiOrOff() {
        return cdi == null ? new Cdi(false, null, null, null) : cdi;
    }

    /**
     * A part of the agent that the policy switches on or off: GPU feature labels ({@code featureLabels}, NVIDIA's
     * {@code gfd.enabled}: {@code nvidia.com/gpu.product}, ...).
     *
     * @param enabled run the part (default true)
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record PartSwitch(Boolean enabled) {

        public boolean isEnabled() {
            return enabled == null || enabled;
        }
    }

    /**
     * The GPU metrics part (NVIDIA's {@code dcgmExporter.enabled}): {@code DCGM_FI_DEV_*} on {@code /metrics} of its
     * own port.
     *
     * @param enabled run the part (default true)
     * @param port where {@code /metrics} is served (default 9400, dcgm-exporter's; 0 picks a free one)
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Exporter(Boolean enabled, Integer port) {

        public boolean isEnabled() {
            return enabled == null || enabled;
        }

        public int portOrDefault() {
            return port == null ? dev.gpuop.node.exporter.DcgmExporter.DEFAULT_PORT : port;
        }
    }

    /** The GPU metrics part's settings (on, port 9400, when absent). */
    public Exporter exporterOrDefault() {
        return exporter == null ? new Exporter(null, null) : exporter;
    }

    /** Whether the GPU metrics part runs. */
    public boolean exporterEnabled() {
        return exporter == null || exporter.isEnabled();
    }

    /** Whether the GPU feature labels part runs. */
    public boolean featureLabelsEnabled() {
        return featureLabels == null || featureLabels.isEnabled();
    }

    /** Whether this agent only discovers. */
    public boolean isDiscoveryOnly() {
        return discoveryOnly != null && discoveryOnly;
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public NodeAgentConfig {
        devicePlugin = devicePlugin == null ? new DevicePlugin(null, null, null, null, null, null, null) : devicePlugin;
        server = server == null ? new Server(null) : server;
    }

    /**
     * The device plugin part.
     *
     * @param enabled serve {@code nvidia.com/gpu} (default true)
     * @param kubeletDir the kubelet's device-plugin directory
     * @param configFile a device plugin config in NVIDIA's format v1, re-read when it changes
     * @param config the same config inline (used when no file is named)
     * @param healthRecoveryPeriod how long a GPU must read cleanly to be healthy again after a recoverable XID
     *     ({@code 0s} keeps NVIDIA's never-recover behaviour)
     * @param healthPollInterval how often every GPU is read
     * @param mpsDir where this process sees the host's MPS root (the DaemonSet mounts it at {@code /mps}); absent:
     *     the MPS root itself (an agent on the host)
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record DevicePlugin(Boolean enabled, String kubeletDir, String configFile, JsonNode config,
                               String healthRecoveryPeriod, String healthPollInterval, String mpsDir) {

        public boolean isEnabled() {
            return enabled == null || enabled;
        }

        public Path kubeletDirPath() {
            return Path.of(kubeletDir == null ? "/var/lib/kubelet/device-plugins" : kubeletDir);
        }

        public Duration recoveryPeriod() {
            return duration("devicePlugin.healthRecoveryPeriod", healthRecoveryPeriod, Duration.ofSeconds(60));
        }

        public Duration pollInterval() {
            return duration("devicePlugin.healthPollInterval", healthPollInterval, Duration.ofSeconds(5));
        }
    }

    /**
     * The HTTP endpoint.
     *
     * @param port port of /healthz, /readyz and /metrics (default 8081; 0 picks a free one)
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Server(Integer port) {

        public int portOrDefault() {
            return port == null ? 8081 : port;
        }
    }

    /** Reads a config file; every error names the file. */
    public static NodeAgentConfig load(Path file) {
        try {
            String text = Files.readString(file);
            NodeAgentConfig c = text.isBlank() ? null : YAML.readValue(text, NodeAgentConfig.class);
            return c == null ? new NodeAgentConfig(null, null, null) : c;
        } catch (JsonProcessingException e) {
            String field = JsonFieldErrors.describe(e);
            throw new InvalidConfigException(file + ": " + (field != null ? field
                : "not YAML: " + JsonFieldErrors.syntax(e)), e);
        } catch (IOException e) {
            throw new InvalidConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Accepts {@code 90s}, {@code 5m}, {@code 1h}, {@code 250ms} or ISO-8601 ({@code PT1M}). */
    static Duration duration(String field, String value, Duration dflt) {
        if (value == null || value.isBlank()) {
            return dflt;
        }
        String v = value.trim();
        try {
            if (v.startsWith("P") || v.startsWith("p")) {
                return Duration.parse(v);
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            return switch (v.charAt(v.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new NumberFormatException(v);
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new InvalidConfigException(field + ": '" + value + "' is not a duration like 30s, 5m or PT1M");
        }
    }
}
