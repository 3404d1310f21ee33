package dev.gpuop.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.generator.annotation.Default;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/**
 * What every DaemonSet gpuop runs shares.
 *
 * @param labels extra labels on the DaemonSets and their pods
 * @param annotations extra annotations on the DaemonSets and their pods
 * @param tolerations the pods' tolerations (they replace the default {@code nvidia.com/gpu} one)
 * @param priorityClassName the pods' priority class
 * @param updateStrategy how a changed DaemonSet rolls ({@code OnDelete} leaves old pods until deleted)
 * @param rollingUpdate the rolling update's budget
 */
public record DaemonsetsSpec(Map<String, String> labels, Map<String, String> annotations,
                             List<Toleration> tolerations, @Default("system-node-critical") String priorityClassName,
                             @Default("RollingUpdate") UpdateStrategy updateStrategy, RollingUpdate rollingUpdate) {

    /** DaemonSet update strategies. */
    public enum UpdateStrategy {
        @JsonProperty("RollingUpdate") ROLLING_UPDATE,
        @JsonProperty("OnDelete") ON_DELETE
    }

    /**
     * The rolling update's budget.
     *
     * @param maxUnavailable a count or a percentage ({@code "1"}, {@code "10%"})
     */
    public record RollingUpdate(String maxUnavailable) {
    }
}
