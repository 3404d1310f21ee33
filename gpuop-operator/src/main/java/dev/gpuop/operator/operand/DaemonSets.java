package dev.gpuop.operator.operand;

import dev.gpuop.api.v1alpha1.ComponentSpec;
import dev.gpuop.api.v1alpha1.DaemonsetsSpec;
import dev.gpuop.api.v1alpha1.EnvVar;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetUpdateStrategy;
import io.fabric8.kubernetes.api.model.apps.DaemonSetUpdateStrategyBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every operand DaemonSet gets from the policy: the {@code daemonsets} section (tolerations, priority, update
 * strategy, labels) and its own section's image settings, resources, env and args. One place, so operands differ
 * only in what is really theirs.
 */
final class DaemonSets {

    /** The toleration NVIDIA's operands carry unless the policy gives its own list. */
    static final Toleration GPU_TOLERATION = new TolerationBuilder().withKey("nvidia.com/gpu")
        .withOperator("Exists").withEffect("NoSchedule").build();

    private DaemonSets() {
    }

    /**
     * Applies the shared settings.
     *
     * @param onDelete always roll with OnDelete (the driver: a new driver pod unloads the running driver)
     */
    static void applyCommon(DaemonSet ds, DaemonsetsSpec common, boolean onDelete) {
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        pod.setTolerations(common.tolerations() == null ? List.of(GPU_TOLERATION) : List.copyOf(
            common.tolerations()));
        pod.setPriorityClassName(common.priorityClassName() == null ? "system-node-critical"
            : common.priorityClassName());
        ds.getSpec().setUpdateStrategy(strategy(common, onDelete));
        if (common.labels() != null) {
            // the selector label "app" is immutable: a user's label never replaces one the operand set
            ds.getMetadata().setLabels(under(ds.getMetadata().getLabels(), common.labels()));
            ds.getSpec().getTemplate().getMetadata().setLabels(
                under(ds.getSpec().getTemplate().getMetadata().getLabels(), common.labels()));
        }
        if (common.annotations() != null) {
            ds.getMetadata().setAnnotations(merge(ds.getMetadata().getAnnotations(), common.annotations()));
            ds.getSpec().getTemplate().getMetadata().setAnnotations(
                merge(ds.getSpec().getTemplate().getMetadata().getAnnotations(), common.annotations()));
        }
    }

    private static Map<String, String> under(Map<String, String> own, Map<String, String> extra) {
        Map<String, String> m = new LinkedHashMap<>(own == null ? Map.of() : own);
        extra.forEach(m::putIfAbsent);
        return m;
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        Map<String, String> m = new LinkedHashMap<>(a == null ? Map.of() : a);
        m.putAll(b);
        return m;
    }

    static DaemonSetUpdateStrategy strategy(DaemonsetsSpec common, boolean onDelete) {
        if (onDelete || common.updateStrategy() == DaemonsetsSpec.UpdateStrategy.ON_DELETE) {
            return new DaemonSetUpdateStrategyBuilder().withType("OnDelete").build();
        }
        String max = common.rollingUpdate() == null ? null : common.rollingUpdate().maxUnavailable();
        IntOrString budget = max == null || max.isBlank() ? new IntOrString(1)
            : max.matches("\\d+") ? new IntOrString(Integer.parseInt(max)) : new IntOrString(max);
        return new DaemonSetUpdateStrategyBuilder().withType("RollingUpdate").withNewRollingUpdate()
            .withMaxUnavailable(budget).endRollingUpdate().build();
    }

    /**
     * Applies one section's settings to a container: image, pull policy, resources, env (set or replace by name)
     * and args (replace when given).
     */
    static void applyComponent(PodSpec pod, Container c, ComponentSpec spec, String image) {
        c.setImage(image);
        c.setImagePullPolicy(spec.getImagePullPolicy() == null ? "IfNotPresent" : spec.getImagePullPolicy());
        if (spec.getResources() != null) {
            c.setResources(spec.getResources());
        }
        setEnv(c, spec.getEnv());
        if (!spec.getArgs().isEmpty()) {
            c.setArgs(new ArrayList<>(spec.getArgs()));
        }
        List<LocalObjectReference> secrets = new ArrayList<>(pod.getImagePullSecrets());
        for (String s : spec.getImagePullSecrets()) {
            if (secrets.stream().noneMatch(r -> s.equals(r.getName()))) {
                secrets.add(new LocalObjectReference(s));
            }
        }
        pod.setImagePullSecrets(secrets);
    }

    /** Sets variables on a container, replacing any of the same name in place. */
    static void setEnv(Container c, List<EnvVar> vars) {
        List<io.fabric8.kubernetes.api.model.EnvVar> env = new ArrayList<>(c.getEnv());
        for (EnvVar v : vars) {
            io.fabric8.kubernetes.api.model.EnvVar e = new EnvVarBuilder().withName(v.name())
                .withValue(v.value() == null ? "" : v.value()).build();
            int i = indexOf(env, v.name());
            if (i >= 0) {
                env.set(i, e);
            } else {
                env.add(e);
            }
        }
        c.setEnv(env);
    }

    private static int indexOf(List<io.fabric8.kubernetes.api.model.EnvVar> env, String name) {
        for (int i = 0; i < env.size(); i++) {
            if (env.get(i).getName().equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
