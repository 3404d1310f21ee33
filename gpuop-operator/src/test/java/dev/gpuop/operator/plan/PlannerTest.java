package dev.gpuop.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.operator.TestNodes;
import dev.gpuop.operator.model.ClusterInfoObserver;
import dev.gpuop.operator.operand.OperandId;
import dev.gpuop.operator.operand.OperatorSettings;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Typed checks of the plan next to the golden files: the facts each scenario exists for. */
class PlannerTest {

    private static DesiredState plan(String spec, io.fabric8.kubernetes.api.model.Node... nodes) {
        // as installed by the chart: NVIDIA's driver image known, driver on unless the spec says otherwise
        return Planner.plan(TestNodes.policy(spec), ClusterInfoObserver.observe(List.of(nodes)),
            new OperatorSettings("gpu-operator", "gpuop/gpuop:0.1.0", "nvcr.io/nvidia/driver:580.95.05"),
            null);
    }

    private static List<HasMetadata> objects(DesiredState p, OperandId id) {
        return p.operands().stream().filter(o -> o.id() == id).findFirst().orElseThrow().objects();
    }

    private static DaemonSet ds(DesiredState p, String name) {
        return p.operands().stream().flatMap(o -> o.objects().stream()).filter(o -> o instanceof DaemonSet
            && o.getMetadata().getName().equals(name)).map(DaemonSet.class::cast).findFirst().orElseThrow();
    }

    private static Map<String, String> env(io.fabric8.kubernetes.api.model.Container c) {
        return c.getEnv().stream().filter(e -> e.getValue() != null).collect(Collectors.toMap(EnvVar::getName,
            EnvVar::getValue));
    }

    @Test
    void theControllersTwoStepsMakeTheSamePlanAsOne() {
        var policy = TestNodes.policy("migManager:\n  enabled: true\n");
        var cluster = ClusterInfoObserver.observe(List.of(TestNodes.nfdGpuNode("gpu-1", "v1.33.5+k3s1"),
            TestNodes.nfdGpuNode("gpu-2", "v1.33.5+rke2r1")));
        var settings = new OperatorSettings("gpu-operator", "gpuop/gpuop:0.1.0", "nvcr.io/nvidia/driver:580.95.05");
        DesiredState whole = Planner.plan(policy, cluster, settings, null);
        DesiredState operands = Planner.planOperands(policy, cluster, settings, null);

        // the controller's route: the operands first, the labels after their writes
        Map<String, Map<String, String>> labels = Planner.nodeLabels(policy, cluster);
        assertThat(operands.nodeLabels()).isEmpty();
        assertThat(operands.operands()).isNotEmpty().isEqualTo(whole.operands());
        assertThat(labels).containsOnlyKeys("gpu-1", "gpu-2");
        assertThat(labels.get("gpu-1")).containsEntry("nvidia.com/gpu.deploy.device-plugin", "true")
            .containsEntry("nvidia.com/gpu.deploy.driver", "pre-installed");
        assertThat(operands.withNodeLabels(labels)).isEqualTo(whole);
    }

    @Test
    void rke2NodesGetTheirSocketWithNoSettingAndAUsersEnvWins() {
        DesiredState auto = plan("toolkit:\n  enabled: true\n", TestNodes.nfdGpuNode("gpu-1", "v1.33.5+rke2r1"));
        var step = ds(auto, "gpuop-node-agent-rke2").getSpec().getTemplate().getSpec().getInitContainers()
            .getFirst();
        assertThat(env(step)).containsEntry("CONTAINERD_SOCKET", "/run/k3s/containerd/containerd.sock")
            .containsEntry("CONTAINERD_CONFIG", "/var/lib/rancher/rke2/agent/etc/containerd/config.toml");
        assertThat(step.getArgs()).containsSequence("--distribution", "rke2");

        DesiredState user = plan("toolkit:\n  enabled: true\n  env:\n  - name: CONTAINERD_CONFIG\n"
            + "    value: /opt/containerd/custom.toml\n", TestNodes.nfdGpuNode("gpu-1", "v1.33.5+rke2r1"));
        var pod = ds(user, "gpuop-node-agent-rke2").getSpec().getTemplate().getSpec();
        assertThat(env(pod.getInitContainers().getFirst())).containsEntry("CONTAINERD_CONFIG",
            "/opt/containerd/custom.toml");
        assertThat(pod.getVolumes()).filteredOn(v -> v.getHostPath() != null).extracting(v -> v.getHostPath()
            .getPath()).contains("/opt/containerd").doesNotContain("/var/lib/rancher/rke2/agent/etc/containerd");
    }

    private static String agentConfig(DesiredState p) {
        return p.operands().stream().flatMap(o -> o.objects().stream())
            .filter(o -> o instanceof io.fabric8.kubernetes.api.model.ConfigMap
                && ((io.fabric8.kubernetes.api.model.ConfigMap) o).getData().containsKey("node-agent.yaml"))
            .map(o -> ((io.fabric8.kubernetes.api.model.ConfigMap) o).getData().get("node-agent.yaml"))
            .findFirst().orElseThrow();
    }

    /**
     * The MIG manager is the node agent's part: its config says so (with the user's mig-parted ConfigMap mounted
     * when one is named), NVIDIA's MIG manager DaemonSet is never wanted, and MIG strategy none turns it off.
     */
    @Test
    void theMigManagerRunsInTheNodeAgentWithTheUsersConfigMapWhenNamed() {
        var node = TestNodes.nfdGpuNode("gpu-1", "v1.33.5");
        DesiredState generated = plan("migManager:\n  enabled: true\n", node);
        assertThat(agentConfig(generated)).contains("migManager:\n  enabled: true\n")
            .doesNotContain("configFile: /etc/gpuop/mig-parted");
        assertThat(objects(generated, OperandId.MIG_MANAGER)).isEmpty();

        DesiredState named = plan("migManager:\n  enabled: true\n  config:\n    name: my-layouts\n", node);
        assertThat(agentConfig(named)).contains("configFile: \"/etc/gpuop/mig-parted/config.yaml\"");
        var pod = ds(named, "gpuop-node-agent").getSpec().getTemplate().getSpec();
        assertThat(pod.getVolumes()).filteredOn(v -> v.getConfigMap() != null)
            .extracting(v -> v.getConfigMap().getName()).contains("my-layouts");
        assertThat(pod.getContainers().getFirst().getVolumeMounts()).extracting(m -> m.getMountPath())
            .contains("/etc/gpuop/mig-parted");

        assertThat(agentConfig(plan("mig:\n  strategy: none\n", node))).doesNotContain("migManager");
        assertThat(agentConfig(plan("migManager:\n  enabled: false\n", node))).doesNotContain("migManager");
    }

    @Test
    void disabledOperandsWantNothingAndTheToolkitStepFollowsItsSwitch() {
        DesiredState seed = plan(PlannerGoldenTest.SEED, TestNodes.nfdGpuNode("gpu-1", "v1.33.5"));
        assertThat(objects(seed, OperandId.DRIVER)).isEmpty();
        assertThat(objects(seed, OperandId.MIG_MANAGER)).isEmpty();
        // with the toolkit off the step only puts back what an earlier install changed
        assertThat(ds(seed, "gpuop-node-agent").getSpec().getTemplate().getSpec().getInitContainers())
            .singleElement().satisfies(c -> assertThat(c.getArgs()).startsWith("toolkit", "uninstall"));
        assertThat(ds(plan("toolkit:\n  enabled: true\n", TestNodes.nfdGpuNode("gpu-1", "v1.33.5")),
            "gpuop-node-agent").getSpec().getTemplate().getSpec().getInitContainers())
            .singleElement().satisfies(c -> assertThat(c.getArgs()).startsWith("toolkit", "install"));
        DesiredState on = plan(PlannerGoldenTest.DRIVER, TestNodes.nfdGpuNode("gpu-1", "v1.33.5"));
        assertThat(ds(on, "nvidia-driver-daemonset").getSpec().getUpdateStrategy().getType()).isEqualTo(
            "OnDelete");
    }

    /**
     * NVIDIA's Service for dcgm-exporter fronts the node agents of every distribution, by the port name the pods
     * declare; with dcgmExporter off neither the Service nor the pod label nor the agent's metrics port remain.
     */
    @Test
    void theDcgmExporterServiceSelectsTheNodeAgentsOfEveryDistribution() {
        DesiredState on = plan("{}", TestNodes.nfdGpuNode("gpu-1", "v1.33.5+rke2r1"));
        Service svc = objects(on, OperandId.NODE_AGENT).stream().filter(Service.class::isInstance)
            .map(Service.class::cast).findFirst().orElseThrow();
        assertThat(svc.getMetadata().getName()).isEqualTo("nvidia-dcgm-exporter");
        assertThat(svc.getMetadata().getNamespace()).isEqualTo("gpu-operator");
        assertThat(svc.getMetadata().getLabels()).containsEntry("app", "nvidia-dcgm-exporter");
        assertThat(svc.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("gpu-metrics");
            assertThat(p.getPort()).isEqualTo(9400);
            assertThat(p.getTargetPort().getStrVal()).isEqualTo("metrics");
        });
        for (String name : List.of("gpuop-node-agent", "gpuop-node-agent-rke2")) {
            var template = ds(on, name).getSpec().getTemplate();
            assertThat(template.getMetadata().getLabels()).containsAllEntriesOf(svc.getSpec().getSelector());
            assertThat(template.getSpec().getContainers().getFirst().getPorts())
                .anySatisfy(p -> assertThat(p.getName() + ":" + p.getContainerPort()).isEqualTo("metrics:9400"));
        }
        DesiredState off = plan("dcgmExporter:\n  enabled: false\n", TestNodes.nfdGpuNode("gpu-1", "v1.33.5+rke2r1"));
        assertThat(objects(off, OperandId.NODE_AGENT)).noneMatch(Service.class::isInstance);
        assertThat(ds(off, "gpuop-node-agent").getSpec().getTemplate().getMetadata().getLabels())
            .doesNotContainKey("gpuop.dev/gpu-metrics");
    }

    private static io.fabric8.kubernetes.api.model.Node gpuNode(String name, Map<String, String> extra) {
        Map<String, String> labels = new java.util.HashMap<>(Map.of("feature.node.kubernetes.io/pci-10de.present",
            "true", "kubernetes.io/os", "linux", "nvidia.com/gpu.deploy.node-agent", "true",
            "gpuop.dev/distribution", "rke2"));
        labels.putAll(extra);
        return TestNodes.node(name, "v1.33.5+rke2r1", "Ubuntu 24.04.1 LTS", labels,
            Map.of("gpuop.dev/driver-preinstalled", "true", "gpuop.dev/node-agent-state", "ready"));
    }

    /** What the scheduler does with a DaemonSet's node selector and required node affinity, for these tests. */
    private static boolean schedules(DaemonSet ds, io.fabric8.kubernetes.api.model.Node node) {
        Map<String, String> labels = node.getMetadata().getLabels();
        var pod = ds.getSpec().getTemplate().getSpec();
        if (!pod.getNodeSelector().entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())))) {
            return false;
        }
        return pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
            .getNodeSelectorTerms().stream().anyMatch(t -> t.getMatchExpressions().stream().allMatch(e -> {
                boolean in = labels.containsKey(e.getKey()) && e.getValues().contains(labels.get(e.getKey()));
                return e.getOperator().equals("In") ? in : !in;
            }));
    }

    /**
     * NVIDIA's per-node switches: a node labelled off for a part (or paused by the MIG manager) lands on a node agent
     * DaemonSet that runs without that part, every node on exactly one, and only the variants in use exist.
     */
    @Test
    void nodesThatSwitchPartsOffGetTheAgentWithoutThemAndEachNodeExactlyOne() {
        var plain = gpuNode("gpu-a", Map.of());
        var paused = gpuNode("gpu-b", Map.of("nvidia.com/gpu.deploy.device-plugin", "paused-for-mig-change"));
        var noMetrics = gpuNode("gpu-c", Map.of("nvidia.com/gpu.deploy.dcgm-exporter", "false",
            "nvidia.com/gpu.deploy.gpu-feature-discovery", "false"));
        DesiredState p = plan("{}", plain, paused, noMetrics);
        List<DaemonSet> agents = objects(p, OperandId.NODE_AGENT).stream().filter(DaemonSet.class::isInstance)
            .map(DaemonSet.class::cast).toList();
        assertThat(agents).extracting(d -> d.getMetadata().getName()).containsExactlyInAnyOrder(
            "gpuop-node-agent", "gpuop-node-agent-rke2", "gpuop-node-agent-rke2-off-dp",
            "gpuop-node-agent-rke2-off-gfd-dcgm");
        for (var node : List.of(plain, paused, noMetrics)) {
            assertThat(agents).filteredOn(d -> schedules(d, node)).as(node.getMetadata().getName()).hasSize(1);
        }
        assertThat(agents).filteredOn(d -> schedules(d, paused)).singleElement().satisfies(d -> {
            assertThat(d.getSpec().getTemplate().getSpec().getContainers().getFirst().getArgs())
                .endsWith("--parts-off", "device-plugin");
            assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsKey("gpuop.dev/gpu-metrics");
        });
        assertThat(agents).filteredOn(d -> schedules(d, noMetrics)).singleElement().satisfies(d -> {
            assertThat(d.getSpec().getTemplate().getSpec().getContainers().getFirst().getArgs())
                .endsWith("--parts-off", "gpu-feature-discovery,dcgm-exporter");
            assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).doesNotContainKey("gpuop.dev/gpu-metrics");
        });
        assertThat(ds(p, "gpuop-node-agent-rke2").getSpec().getTemplate().getSpec().getContainers().getFirst()
            .getArgs()).doesNotContain("--parts-off");
    }

    @Test
    void cdiNamesOnlyWhereTheToolkitStepWritesTheSpec() {
        var node = TestNodes.nfdGpuNode("gpu-1", "v1.33.5");
        assertThat(env(ds(plan("toolkit:\n  enabled: true\n", node), "gpuop-node-agent").getSpec().getTemplate()
            .getSpec().getContainers().getFirst())).containsEntry("DEVICE_LIST_STRATEGY", "cdi-cri");
        assertThat(env(ds(plan("toolkit:\n  enabled: false\n", node), "gpuop-node-agent").getSpec().getTemplate()
            .getSpec().getContainers().getFirst())).containsEntry("DEVICE_LIST_STRATEGY", "envvar");
        assertThat(objects(plan("cdi:\n  enabled: true\n", node), OperandId.PREREQUISITES))
            .extracting(o -> o.getMetadata().getName()).contains("nvidia", "nvidia-cdi");
        assertThat(objects(plan("cdi:\n  enabled: false\ntoolkit:\n  enabled: false\n", node),
            OperandId.PREREQUISITES))
            .extracting(o -> o.getMetadata().getName()).contains("nvidia").doesNotContain("nvidia-cdi");
    }

    @Test
    void discoveryRunsOnlyWithoutNfdAndOnlyOnNodesNotYetLabelled() {
        var node = TestNodes.nfdGpuNode("gpu-1", "v1.33.5");
        DaemonSet d = ds(plan("nfd:\n  enabled: false\n", node), "gpuop-node-discovery");
        assertThat(d.getSpec().getTemplate().getSpec().getAffinity().getNodeAffinity()
            .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms().getFirst()
            .getMatchExpressions()).anySatisfy(e -> {
                assertThat(e.getKey()).isEqualTo("nvidia.com/gpu.present");
                assertThat(e.getOperator()).isEqualTo("DoesNotExist");
            });
        assertThat(d.getSpec().getTemplate().getSpec().getContainers().getFirst().getArgs())
            .containsExactly("node-agent", "--config", "/etc/gpuop/discovery.yaml");
        assertThat(objects(plan("nfd:\n  enabled: true\n", node), OperandId.NODE_DISCOVERY)).isEmpty();
    }

    @Test
    void aPolicyThatCannotBeHonouredAppliesNothing() {
        DesiredState p = plan("driver:\n  enabled: true\n  repository: nvcr.io/nvidia\n  image: driver\n"
            + "  version: 580.95.05\nmig:\n  strategy: mixed\n", TestNodes.nfdGpuNode("gpu-1", "v1.33.5"),
            TestNodes.node("gpu-2", "v1.33.5", "Rocky Linux 9.3", Map.of("nvidia.com/gpu.present", "true"),
                Map.of("gpuop.dev/driver-preinstalled", "false")));
        assertThat(p.valid()).isFalse();
        assertThat(p.operands()).isEmpty();
        assertThat(p.nodeLabels()).isEmpty();
        assertThat(p.problems()).extracting(x -> x.field()).contains("spec.mig.strategy");
        assertThat(PlanPrinter.yaml(p)).startsWith("# policy problem: spec.mig.strategy");
    }

    @Test
    void everyObjectIsStampedAndTheHashMovesWithTheSpec() {
        var node = TestNodes.nfdGpuNode("gpu-1", "v1.33.5");
        DesiredState a = plan("mig:\n  strategy: single\n", node);
        DesiredState b = plan("mig:\n  strategy: none\n", node);
        a.operands().stream().flatMap(o -> o.objects().stream()).forEach(o -> {
            assertThat(o.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "gpuop")
                .containsKey(OperandId.LABEL);
            assertThat(o.getMetadata().getOwnerReferences()).singleElement().satisfies(r ->
                assertThat(r.getController()).isTrue());
            assertThat(Stamp.hashOf(o)).hasSize(24);
        });
        assertThat(Stamp.hashOf(ds(a, "gpuop-node-agent"))).isNotEqualTo(Stamp.hashOf(ds(b, "gpuop-node-agent")));
        assertThat(Stamp.hashOf(objects(a, OperandId.PREREQUISITES).getFirst()))
            .isEqualTo(Stamp.hashOf(objects(b, OperandId.PREREQUISITES).getFirst()));
    }
}
