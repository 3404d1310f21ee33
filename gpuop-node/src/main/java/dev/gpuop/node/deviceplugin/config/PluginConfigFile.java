package dev.gpuop.node.deviceplugin.config;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * NVIDIA's device plugin config file, format {@code version: v1}, field for field, so that a file written for
 * NVIDIA's plugin (and shared with GPU feature discovery) works unchanged. Sections we do not act on ({@code gfd},
 * {@code imex}, ...) are accepted and ignored. {@link DevicePluginSettings#from} validates and types it.
 *
 * @param version {@code v1}; absent means v1
 * @param flags the flags section
 * @param sharing time-slicing or MPS replication
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PluginConfigFile(String version, Flags flags, Sharing sharing) {

    /** {@code flags}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Flags(String migStrategy, Boolean failOnInitError, String nvidiaDriverRoot, String nvidiaDevRoot,
                        Boolean gdsEnabled, Boolean mofedEnabled, Boolean gdrcopyEnabled, String mpsRoot,
                        PluginFlags plugin) {
    }

    /** {@code flags.plugin}; {@code deviceListStrategy} may be one string or a list, as NVIDIA allows. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PluginFlags(Boolean passDeviceSpecs,
                              @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                              List<String> deviceListStrategy,
                              @JsonProperty("deviceIDStrategy") String deviceIdStrategy,
                              String cdiAnnotationPrefix) {
    }

    /** {@code sharing}: at most one of the two. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Sharing(Replication timeSlicing, Replication mps) {
    }

    /** {@code sharing.timeSlicing} or {@code sharing.mps}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Replication(Boolean renameByDefault, Boolean failRequestsGreaterThanOne,
                              List<ReplicatedResource> resources) {
    }

    /** One entry of {@code sharing.*.resources}. {@code devices} and {@code rename} are read but, as in NVIDIA's
     * plugin today, only "all" devices and the default rename are honoured. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ReplicatedResource(String name, Integer replicas, Object devices, String rename) {
    }
}
