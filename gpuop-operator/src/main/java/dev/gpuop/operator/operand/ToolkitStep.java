package dev.gpuop.operator.operand;

import dev.gpuop.api.v1alpha1.ClusterPolicySpec;
import dev.gpuop.api.v1alpha1.EnvVar;
import dev.gpuop.gpu.host.Distribution;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The toolkit step as the node agent's init container. The distribution's containerd config and socket come first,
 * NVIDIA's {@code toolkit.env} from the policy over them; then the directories of whatever paths result are mounted
 * at the same paths, so a user's {@code CONTAINERD_CONFIG} is honoured as NVIDIA's toolkit honours it.
 */
final class ToolkitStep {

    private ToolkitStep() {
    }

    /**
     * Adds the step: {@code install} when the policy enables the toolkit, else {@code uninstall}, which restores
     * what an earlier install changed and does nothing on a node it never touched.
     */
    static void add(RenderContext ctx, PodSpec pod, Distribution d, String agentImage) {
        ClusterPolicySpec spec = ctx.spec();
        Container step = Skeletons.load("node-agent/0050_toolkit-initcontainer.yaml", Container.class);
        if (!spec.toolkit().enabledOr(true)) {
            step.getArgs().set(1, "uninstall");
        }
        // always the node agent's image: the policy's toolkit image keys are refused (PolicyValidator)
        String image = agentImage;
        Map<String, String> env = env(spec, d);
        List<String> args = new ArrayList<>(step.getArgs());
        args.addAll(List.of("--distribution", d.id()));
        step.setArgs(args);
        DaemonSets.applyComponent(pod, step, spec.toolkit(), image);
        DaemonSets.setEnv(step, env.entrySet().stream().map(e -> new EnvVar(e.getKey(), e.getValue())).toList());
        mountParent(pod, step, "containerd-config", first(env, "CONTAINERD_CONFIG", "RUNTIME_CONFIG"));
        mountParent(pod, step, "containerd-socket", first(env, "CONTAINERD_SOCKET", "RUNTIME_SOCKET"));
        pod.setHostPID(true);
        pod.setInitContainers(new ArrayList<>(List.of(step)));
    }

    /** The step's environment: the distribution's paths, then the policy's {@code toolkit.env} over them. */
    static Map<String, String> env(ClusterPolicySpec spec, Distribution d) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CONTAINERD_CONFIG", d.containerdConfig());
        env.put("CONTAINERD_SOCKET", d.containerdSocket());
        env.put("CONTAINERD_RUNTIME_CLASS", spec.operator().runtimeClassOrDefault());
        env.put("CDI_ENABLED", Boolean.toString(spec.cdi().isEnabled()));
        env.put("GPUOP_HOST_ROOT", "/host");
        for (EnvVar v : spec.toolkit().getEnv()) {
            env.put(v.name(), v.value() == null ? "" : v.value());
        }
        return env;
    }

    /**
     * The containerd socket and runtime class the node agent's toolkit check asks about: the same the step
     * configured, NVIDIA's older names ({@code RUNTIME_SOCKET}) included.
     */
    static List<EnvVar> forNodeAgent(ClusterPolicySpec spec, Distribution d) {
        Map<String, String> env = env(spec, d);
        return List.of(new EnvVar("CONTAINERD_SOCKET", first(env, "CONTAINERD_SOCKET", "RUNTIME_SOCKET")),
            new EnvVar("CONTAINERD_RUNTIME_CLASS", env.get("CONTAINERD_RUNTIME_CLASS")));
    }

    private static String first(Map<String, String> env, String a, String b) {
        String v = env.get(a);
        return v == null || v.isBlank() ? env.get(b) : v;
    }

    private static void mountParent(PodSpec pod, Container c, String volume, String file) {
        Path parent = Path.of(file).getParent();
        String dir = parent == null ? "/" : parent.toString();
        boolean sameDir = pod.getVolumes().stream().anyMatch(v -> v.getHostPath() != null
            && dir.equals(v.getHostPath().getPath()) && !v.getName().equals("host-root"));
        if (sameDir) {
            return;
        }
        pod.getVolumes().add(new VolumeBuilder().withName(volume).withNewHostPath().withPath(dir)
            .withType("DirectoryOrCreate").endHostPath().build());
        c.getVolumeMounts().add(new VolumeMountBuilder().withName(volume).withMountPath(dir).build());
    }
}
