package dev.gpuop.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.generator.annotation.Default;

/**
 * How MIG devices are advertised.
 *
 * @param strategy {@code none}: whole GPUs only; {@code single}: every GPU of a node has the same MIG layout,
 *     advertised as {@code nvidia.com/gpu}; {@code mixed}: {@code nvidia.com/mig-<profile>} per profile
 */
public record MigSpec(@Default("single") Strategy strategy) {

    /** The strategy, {@code single} unless set (NVIDIA's chart default). */
    public Strategy strategyOrDefault() {
        return strategy == null ? Strategy.SINGLE : strategy;
    }

    /** MIG strategies, as the device plugin names them. */
    public enum Strategy {
        @JsonProperty("none") NONE,
        @JsonProperty("single") SINGLE,
        @JsonProperty("mixed") MIXED;

        /** The name in configs and on the command line. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
