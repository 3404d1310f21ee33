package dev.gpuop.operator.operand;

import dev.gpuop.api.v1alpha1.ClusterPolicySpec;
import dev.gpuop.api.v1alpha1.ConfigRef;
import dev.gpuop.api.v1alpha1.EnvVar;
import dev.gpuop.operator.model.AgentParts;
import dev.gpuop.gpu.host.Distribution;
import dev.gpuop.operator.model.ImageRef;
import dev.gpuop.operator.model.NodeLabels;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * gpuop's node agent: one DaemonSet per containerd distribution among the GPU nodes, so RKE2 and K3s nodes get
 * their containerd socket and config dir without any setting ({@code toolkit.env} given by a user still wins). The
 * toolkit step runs as its init container when {@code toolkit.enabled}. Nodes that switch parts off with NVIDIA's
 * {@code nvidia.com/gpu.deploy.<part>} labels get a DaemonSet of their own per combination ({@link AgentParts}).
 * With {@code dcgmExporter.enabled} the agents serve GPU metrics on port 9400 behind NVIDIA's Service name,
 * {@code nvidia-dcgm-exporter}.
 */
public final class NodeAgentOperand implements Operand {

    /** The DaemonSet's name for plain containerd nodes; RKE2 and K3s add {@code -rke2} and {@code -k3s}. */
    public static final String NAME = "gpuop-node-agent";
    /** The label of node agent pods that serve GPU metrics, which the {@code nvidia-dcgm-exporter} Service selects. */
    public static final String METRICS_POD_LABEL = "gpuop.dev/gpu-metrics";

    @Override
    public OperandId id() {
        return OperandId.NODE_AGENT;
    }

    @Override
    public boolean enabled(RenderContext ctx) {
        return true;
    }

    @Override
    public List<HasMetadata> desired(RenderContext ctx) {
        Set<Distribution> dists = EnumSet.of(Distribution.CONTAINERD);
        dists.addAll(ctx.cluster().distributions());
        String image = ImageRef.resolve(ctx.spec().nodeAgent(), "spec.nodeAgent", ctx.settings().nodeAgentImage());
        List<HasMetadata> out = new ArrayList<>();
        for (Distribution d : dists) {
            for (List<String> off : AgentParts.variants(ctx.cluster(), d)) {
                out.add(daemonSet(ctx, d, image, off));
            }
        }
        if (metricsOn(ctx.spec())) {
            out.add(Skeletons.load("node-agent/0200_service.yaml", Service.class));
        }
        return out;
    }

    /** The DaemonSet serving one distribution's nodes. */
    public static String name(Distribution d) {
        return d == Distribution.CONTAINERD ? NAME : NAME + "-" + d.id();
    }

    /** The DaemonSet serving a distribution's nodes that switch {@code off} off (NVIDIA's part names). */
    public static String name(Distribution d, List<String> off) {
        return name(d) + AgentParts.suffix(off);
    }

    static DaemonSet daemonSet(RenderContext ctx, Distribution d, String image, List<String> off) {
        ClusterPolicySpec spec = ctx.spec();
        DaemonSet ds = Skeletons.load("node-agent/0100_daemonset.yaml", DaemonSet.class);
        String name = name(d, off);
        ds.getMetadata().setName(name);
        ds.getSpec().getSelector().setMatchLabels(Map.of("app", name));
        Map<String, String> podLabels = new LinkedHashMap<>(Map.of("app", name));
        if (metricsOn(spec) && !off.contains("dcgm-exporter")) {
            // what the nvidia-dcgm-exporter Service selects, across the distributions' DaemonSets
            podLabels.put(METRICS_POD_LABEL, "true");
        }
        ds.getSpec().getTemplate().getMetadata().setLabels(podLabels);
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        Map<String, String> selector = new LinkedHashMap<>();
        selector.put(NodeLabels.deploy("node-agent"), "true");
        selector.put(NodeLabels.DISTRIBUTION, d.id());
        pod.setNodeSelector(selector);
        pod.setAffinity(partsAffinity(off));
        Container agent = pod.getContainers().getFirst();
        DaemonSets.applyComponent(pod, agent, spec.nodeAgent(), image);
        if (!off.isEmpty()) {
            // after a user's nodeAgent.args, which replace the skeleton's
            List<String> args = new ArrayList<>(agent.getArgs());
            args.addAll(List.of("--parts-off", String.join(",", off)));
            agent.setArgs(args);
        }
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVar("MIG_STRATEGY", spec.mig().strategyOrDefault().id()));
        env.add(new EnvVar("DEVICE_LIST_STRATEGY", cdiOn(spec) ? "cdi-cri" : "envvar"));
        // where the validator's toolkit stage asks containerd for the handler (under the host's root)
        env.addAll(ToolkitStep.forNodeAgent(spec, d));
        env.addAll(spec.devicePlugin().getEnv());
        env.addAll(spec.nodeAgent().getEnv());
        // the host's MPS root, where Allocate points pods; the agent sees it at /mps (the validator refuses a user's)
        env.add(new EnvVar("MPS_ROOT", spec.devicePlugin().mpsRoot()));
        DaemonSets.setEnv(agent, env);
        mpsMounts(pod, agent, spec.devicePlugin().mpsRoot());
        ConfigRef ref = spec.devicePlugin().getConfig();
        if (ref != null && ref.name() != null && !ref.name().isBlank()) {
            pod.getVolumes().add(new VolumeBuilder().withName("device-plugin-config").withNewConfigMap()
                .withName(ref.name()).endConfigMap().build());
            agent.getVolumeMounts().add(new VolumeMountBuilder().withName("device-plugin-config")
                .withMountPath(NodeAgentConfigFile.DEVICE_PLUGIN_CONFIG_DIR).withReadOnly(true).build());
        }
        String migConfig = NodeAgentConfigFile.migConfigMap(ctx);
        if (migConfig != null) {
            pod.getVolumes().add(new VolumeBuilder().withName("mig-parted-config").withNewConfigMap()
                .withName(migConfig).endConfigMap().build());
            agent.getVolumeMounts().add(new VolumeMountBuilder().withName("mig-parted-config")
                .withMountPath(NodeAgentConfigFile.MIG_CONFIG_DIR).withReadOnly(true).build());
        }
        // install, or with the toolkit off, uninstall: turning it off gives the node its containerd config back
        ToolkitStep.add(ctx, pod, d, image);
        DaemonSets.applyCommon(ds, spec.daemonsets(), false);
        return ds;
    }

    /**
     * The MPS daemons' files: the root at {@code /mps} (pipes and logs, which pods mount from the host), and its
     * {@code shm} as the agent's {@code /dev/shm}, since the MPS server the daemon starts shares memory with its
     * clients there, and each client's {@code /dev/shm} is the same host directory (NVIDIA's daemon mounts both
     * alike).
     */
    private static void mpsMounts(PodSpec pod, Container agent, String root) {
        String base = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
        pod.getVolumes().add(new VolumeBuilder().withName("mps-root").withNewHostPath().withPath(base)
            .withType("DirectoryOrCreate").endHostPath().build());
        pod.getVolumes().add(new VolumeBuilder().withName("mps-shm").withNewHostPath().withPath(base + "/shm")
            .withType("DirectoryOrCreate").endHostPath().build());
        agent.getVolumeMounts().add(new VolumeMountBuilder().withName("mps-root").withMountPath("/mps").build());
        agent.getVolumeMounts().add(new VolumeMountBuilder().withName("mps-shm").withMountPath("/dev/shm").build());
    }

    /**
     * Each node to exactly one variant: for every switchable part, its label in NVIDIA's off values for a part this
     * variant has off, not in them (or absent) for a part it runs.
     */
    static Affinity partsAffinity(List<String> off) {
        NodeSelectorTermBuilder term = new NodeSelectorTermBuilder();
        for (String part : AgentParts.SWITCHABLE) {
            term.addNewMatchExpression().withKey(NodeLabels.deploy(part))
                .withOperator(off.contains(part) ? "In" : "NotIn").withValues(AgentParts.OFF_VALUES)
                .endMatchExpression();
        }
        return new AffinityBuilder().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
            .withNodeSelectorTerms(term.build()).endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity()
            .build();
    }

    /** Whether the agents serve GPU metrics (NVIDIA's {@code dcgmExporter.enabled}, default true). */
    static boolean metricsOn(ClusterPolicySpec spec) {
        return spec.dcgmExporter().enabledOr(true);
    }

    /** CDI names in Allocate answers only where the toolkit step wrote the CDI spec and turned CDI on. */
    static boolean cdiOn(ClusterPolicySpec spec) {
        return spec.cdi().isEnabled() && spec.toolkit().enabledOr(true);
    }

    @Override
    public List<Class<? extends HasMetadata>> kinds() {
        return List.of(DaemonSet.class, Service.class);
    }
}
