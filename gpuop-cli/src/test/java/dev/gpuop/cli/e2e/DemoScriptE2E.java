package dev.gpuop.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpuop.api.v1alpha1.ClusterPolicy;
import dev.gpuop.api.v1alpha1.PolicyState;
import dev.gpuop.cli.DocCommands;
import dev.gpuop.cli.PromQueries;
import dev.gpuop.testsupport.TestCluster;
import dev.gpuop.testsupport.TestClusterExtension;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code scripts/demo.sh} as a newcomer runs it, on the E2E tier's cluster (it finds it up and reuses it): the
 * seed's {@code helm install} flags, a ready ClusterPolicy, and the seed's test pod, which must see the very GPU the
 * device plugin gave it (its UUID in {@code NVIDIA_VISIBLE_DEVICES} and that GPU's device node, by the simulated
 * host's own numbering). Then {@code demo.sh --down} stops the cluster, so this class runs after every other.
 */
@ExtendWith(TestClusterExtension.class)
@Order(Integer.MAX_VALUE)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoScriptE2E {

    private static final Path DEMO_DIR = Path.of("/tmp/gpuop-demo");
    private static final String SEED_COMMAND = "helm install --wait gpuop deploy/helm/gpuop -n gpu-operator "
        + "--create-namespace --set operator.defaultRuntime=containerd --set driver.enabled=false "
        + "--set toolkit.enabled=false";

    @Test
    @Order(1)
    void theDemoInstallsWithTheSeedsFlagsAndItsPodSeesTheGpuItWasGiven(TestCluster cluster, KubernetesClient k8s)
        throws Exception {
        E2eSupport.forgetGpus(k8s, "feature.node.kubernetes.io/pci-10de.present");
        String out = demo(cluster.repo());
        assertThat(out).contains(SEED_COMMAND).contains("ClusterPolicy ready").contains("scripts/demo.sh --down");

        ClusterPolicy p = k8s.resources(ClusterPolicy.class).withName("cluster-policy").get();
        assertThat(p.getStatus().state()).isEqualTo(PolicyState.READY);
        // the seed's flags reached the policy the chart made
        assertThat(p.getSpec().driver().getEnabled()).isFalse();
        assertThat(p.getSpec().toolkit().getEnabled()).isFalse();
        assertThat(p.getStatus().nodes()).singleElement()
            .satisfies(n -> assertThat(String.valueOf(n.validation())).isEqualTo("passed"));

        Pod pod = k8s.pods().inNamespace("default").withName("gpu-test").get();
        assertThat(pod.getSpec().getRuntimeClassName()).isEqualTo("nvidia");
        assertThat(pod.getStatus().getPhase()).isEqualTo("Succeeded");
        String log = k8s.pods().inNamespace("default").withName("gpu-test").getLog();
        Matcher m = Pattern.compile("NVIDIA_VISIBLE_DEVICES=(GPU-[0-9a-f-]+)").matcher(log);
        assertThat(m.find()).as(log).isTrue();
        Map<String, Integer> minors = simulatedMinors(cluster.repo());
        assertThat(minors).containsKey(m.group(1));
        // exactly its GPU's device node (and the control node), none of the seven others
        List<String> devices = log.lines().filter(l -> l.startsWith("/dev/")).sorted().toList();
        assertThat(devices).containsExactly("/dev/nvidia" + minors.get(m.group(1)), "/dev/nvidiactl");
    }

    /**
     * The docs' kubectl lines as a reader runs them (in a shell, {@code gpu-node-1} meaning this node), against the
     * demo's install: reading ones as they are, changing ones with {@code --dry-run=server}, so the API server
     * checks every object and field; the docs' manifests likewise. A pod of the docs' own manifests (never created
     * here: its image cannot be pulled) may be absent; nothing else may fail.
     */
    @Test
    @Order(2)
    void everyKubectlLineAndManifestOfTheDocsWorksOnTheCluster(TestCluster cluster) throws Exception {
        List<DocCommands.Manifest> manifests = DocCommands.manifests(cluster.repo());
        java.util.Set<String> docPods = new java.util.HashSet<>();
        // the docs' commands run from a clone's root (deploy/..., examples/...), next to the files they create
        Path dir = Files.createTempDirectory("docs");
        for (String top : List.of("deploy", "examples", "docs")) {
            Files.createSymbolicLink(dir.resolve(top), cluster.repo().resolve(top));
        }
        for (DocCommands.Manifest m : manifests) {
            JsonNode o = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(m.yaml());
            String name = o.path("metadata").path("name").asText();
            docPods.add(name);
            Files.writeString(dir.resolve(name + ".yaml"), m.yaml());
            assertThat(kubectl(cluster, dir, "kubectl apply --dry-run=server -f " + name + ".yaml"))
                .as(m.where()).startsWith("0\n");
        }
        List<DocCommands.Command> lines = DocCommands.commands(cluster.repo()).stream()
            .filter(c -> c.program().equals("kubectl")).toList();
        assertThat(lines).hasSizeGreaterThan(10);
        for (DocCommands.Command c : lines) {
            String text = c.text().replace("gpu-node-1", TestCluster.NODE);
            if (c.args().stream().anyMatch(a -> List.of("apply", "delete", "label", "annotate", "patch").contains(a))) {
                text += " --dry-run=server";
            }
            String result = kubectl(cluster, dir, text);
            boolean absentDocPod = docPods.stream().anyMatch(p -> result.contains("pods \"" + p + "\" not found"));
            assertThat(result.startsWith("0\n") || absentDocPod).as(c.where() + ": " + text + "\n" + result).isTrue();
        }
        new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
    }

    /** Its exit code, a newline, then what it printed. */
    private static String kubectl(TestCluster cluster, Path dir, String line) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", line).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("KUBECONFIG", cluster.kubeconfig().toString());
        pb.environment().put("PATH", cluster.repo().resolve("testenv/.bin") + ":" + System.getenv("PATH"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        return p.waitFor() + "\n" + out;
    }

    /** The Grafana dashboard's queries against what the node agent's and the operator's pods really serve. */
    @Test
    @Order(3)
    void theDashboardsQueriesFindTheirMetricsAndLabelsInThePodsExposition(TestCluster cluster, KubernetesClient k8s)
        throws Exception {
        java.util.Map<String, java.util.Set<String>> exposition = new java.util.TreeMap<>();
        // the GPU metrics as Prometheus finds them: through NVIDIA's Service name and port name
        PromQueries.exposition(k8s.raw(DCGM_SERVICE_METRICS)).forEach(exposition::put);
        for (String app : List.of("app=gpuop-node-agent:8081", "app.kubernetes.io/component=operator:8080")) {
            String[] a = app.split("[=:]");
            Pod pod = k8s.pods().inNamespace("gpu-operator").withLabel(a[0], a[1]).list().getItems().getFirst();
            String text = k8s.raw("/api/v1/namespaces/gpu-operator/pods/" + pod.getMetadata().getName() + ":" + a[2]
                + "/proxy/metrics");
            PromQueries.exposition(text).forEach((k, v) -> exposition.merge(k, v, (x, y) -> {
                java.util.Set<String> u = new java.util.TreeSet<>(x);
                u.addAll(y);
                return u;
            }));
        }
        for (String q : PromQueries.dashboard(cluster.repo().resolve("deploy/grafana/gpuop.json"))) {
            assertThat(PromQueries.missing(q, exposition)).as(q).isEmpty();
        }
    }

    /** The agents' GPU metrics through the Service, as a scrape config written for NVIDIA's operator reaches them. */
    static final String DCGM_SERVICE_METRICS =
        "/api/v1/namespaces/gpu-operator/services/nvidia-dcgm-exporter:gpu-metrics/proxy/metrics";

    /**
     * A pod holding 2 of the 8 simulated GPUs: the kubelet's pod-resources socket, as the agent's pod reaches it under
     * the host's root, names the pod on exactly those two GPUs' series within a refresh, and on no other.
     */
    @Test
    @Order(3)
    void aPodHoldingTwoGpusIsNamedOnTheirSeriesAndOnNoOther(TestCluster cluster, KubernetesClient k8s)
        throws Exception {
        Pod pod = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("two-gpus")
            .withNamespace("default").endMetadata().withNewSpec().withRestartPolicy("Never")
            .withRuntimeClassName("nvidia").addNewContainer().withName("main")
            .withImage("docker.io/library/busybox:1.35")
            .withImagePullPolicy("Never").withCommand("sleep", "600").withNewResources()
            .addToLimits("nvidia.com/gpu", new io.fabric8.kubernetes.api.model.Quantity("2")).endResources()
            .endContainer().endSpec().build();
        k8s.resource(pod).create();
        try {
            k8s.pods().inNamespace("default").withName("two-gpus").waitUntilCondition(p -> p != null
                && "Running".equals(p.getStatus().getPhase()), 60, java.util.concurrent.TimeUnit.SECONDS);
            List<String> held = List.of();
            String text = "";
            for (int i = 0; i < 40 && held.size() < 2; i++) {
                text = k8s.raw(DCGM_SERVICE_METRICS);
                held = text.lines().filter(l -> l.startsWith("DCGM_FI_DEV_GPU_UTIL{"))
                    .filter(l -> l.contains(",container=\"main\",namespace=\"default\",pod=\"two-gpus\"}"))
                    .toList();
                Thread.sleep(500);
            }
            assertThat(held).as(text).hasSize(2);
            assertThat(text.lines().filter(l -> l.startsWith("DCGM_FI_DEV_GPU_UTIL{"))).hasSize(8);
            assertThat(text.lines().filter(l -> l.startsWith("DCGM_FI_DEV_GPU_UTIL{") && l.contains("pod=")))
                .hasSize(2);
        } finally {
            k8s.pods().inNamespace("default").withName("two-gpus").withGracePeriod(0).delete();
        }
    }

    /**
     * NVIDIA's MIG manager pauses the device plugin with {@code nvidia.com/gpu.deploy.device-plugin=
     * paused-for-mig-change}: the node's agent becomes the variant without the plugin (the kubelet stops offering
     * the GPUs, the metrics go on), and resuming brings the full agent back, which reads the GPUs anew.
     */
    @Test
    @Order(3)
    void aNodePausedForAMigChangeLosesTheDevicePluginAndGetsItBack(KubernetesClient k8s) throws Exception {
        String label = "nvidia.com/gpu.deploy.device-plugin";
        E2eSupport.labelNode(k8s, label, "paused-for-mig-change");
        try {
            awaitAgent(k8s, "gpuop-node-agent-off-dp");
            awaitAllocatable(k8s, "0");
            assertThat(k8s.raw(DCGM_SERVICE_METRICS).lines().filter(l -> l.startsWith("DCGM_FI_DEV_GPU_UTIL{")))
                .hasSize(8);
        } finally {
            E2eSupport.labelNode(k8s, label, "true");
        }
        awaitAgent(k8s, "gpuop-node-agent");
        awaitAllocatable(k8s, "8");
    }

    /**
     * The MIG manager runs in the node agent the chart installs: the operator gives the MIG-capable node NVIDIA's
     * default layout label ({@code all-disabled}), the agent says {@code success}; labelled
     * {@code nvidia.com/mig.config=all-1g.10gb}, the same agent pod partitions its eight (simulated) H100s into 56
     * MIG devices, which the chart's MIG strategy ({@code single}) offers as {@code nvidia.com/gpu}; a layout name
     * the node has not is {@code failed} and changes nothing; all-disabled gives the eight GPUs back.
     */
    @Test
    @Order(3)
    void aMigLayoutLabelPartitionsTheGpusThroughTheChartsNodeAgent(KubernetesClient k8s) throws Exception {
        var node = k8s.nodes().withName(TestCluster.NODE);
        String before = agentUid(k8s);
        awaitNodeLabel(k8s, "nvidia.com/mig.config", "all-disabled");
        awaitNodeLabel(k8s, "nvidia.com/mig.config.state", "success");
        try {
            E2eSupport.labelNode(k8s, "nvidia.com/mig.config", "all-1g.10gb");
            awaitAllocatable(k8s, "56");
            awaitNodeLabel(k8s, "nvidia.com/mig.config.state", "success");
            E2eSupport.labelNode(k8s, "nvidia.com/mig.config", "all-9g.99gb");
            awaitNodeLabel(k8s, "nvidia.com/mig.config.state", "failed");
            assertThat(node.get().getMetadata().getAnnotations().get("gpuop.dev/mig.config.reason"))
                .contains("no such layout", "all-1g.10gb");
            awaitAllocatable(k8s, "56");
        } finally {
            E2eSupport.labelNode(k8s, "nvidia.com/mig.config", "all-disabled");
        }
        awaitAllocatable(k8s, "8");
        awaitNodeLabel(k8s, "nvidia.com/mig.config.state", "success");
        assertThat(agentUid(k8s)).as("the same agent pod all along").isEqualTo(before);
    }

    private static void awaitNodeLabel(KubernetesClient k8s, String key, String value) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(90).toNanos();
        String now = null;
        while (System.nanoTime() < deadline) {
            now = k8s.nodes().withName(TestCluster.NODE).get().getMetadata().getLabels().get(key);
            if (value.equals(now)) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("node label " + key + " is " + now + ", not " + value);
    }

    /**
     * NVIDIA's per-node device plugin config: the policy names a ConfigMap of two configs and a default; labelling
     * the node {@code nvidia.com/device-plugin.config=ts4} switches its running agent to time-slicing (32 devices from
     * 8 GPUs) within seconds, without a new pod, and removing the label switches it back.
     */
    @Test
    @Order(3)
    void theNodesConfigLabelSwitchesTheRunningAgentsDevicePluginConfig(KubernetesClient k8s) throws Exception {
        var cm = new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName("plugin-configs")
            .withNamespace("gpu-operator").endMetadata().addToData("any", "version: v1\n")
            .addToData("ts4", "version: v1\nsharing:\n  timeSlicing:\n    resources:\n    - name: nvidia.com/gpu\n"
                + "      replicas: 4\n").build();
        k8s.resource(cm).createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
        var policy = k8s.resources(dev.gpuop.api.v1alpha1.ClusterPolicy.class).withName("cluster-policy");
        String label = "nvidia.com/device-plugin.config";
        String before = agentUid(k8s);
        try {
            policy.edit(p -> {
                if (p.getSpec().getDevicePlugin() == null) {
                    p.getSpec().setDevicePlugin(new dev.gpuop.api.v1alpha1.DevicePluginSpec());
                }
                p.getSpec().getDevicePlugin().setConfig(new dev.gpuop.api.v1alpha1.ConfigRef("plugin-configs", "any"));
                return p;
            });
            String agent = awaitNewAgent(k8s, before);
            awaitAllocatable(k8s, "8");
            E2eSupport.labelNode(k8s, label, "ts4");
            awaitAllocatable(k8s, "32");
            // the operator watches the ConfigMap: a config the agents would refuse turns the policy notReady at
            // once, naming the field; put right, it is ready again
            k8s.configMaps().inNamespace("gpu-operator").withName("plugin-configs").edit(c -> {
                c.getData().put("ts4", c.getData().get("ts4").replace("replicas: 4", "replicas: 1"));
                return c;
            });
            awaitPolicyMessage(k8s, "sharing.timeSlicing.resources[0].replicas");
            k8s.configMaps().inNamespace("gpu-operator").withName("plugin-configs").edit(c -> {
                c.getData().put("ts4", c.getData().get("ts4").replace("replicas: 1", "replicas: 4"));
                return c;
            });
            E2eSupport.labelNode(k8s, label, null);
            awaitAllocatable(k8s, "8");
            assertThat(agentUid(k8s)).as("the same agent pod all along").isEqualTo(agent);
        } finally {
            E2eSupport.labelNode(k8s, label, null);
            String agent = agentUid(k8s);
            policy.edit(p -> {
                if (p.getSpec().getDevicePlugin() != null) {
                    p.getSpec().getDevicePlugin().setConfig(null);
                }
                return p;
            });
            awaitNewAgent(k8s, agent);
            k8s.resource(cm).delete();
        }
        awaitAllocatable(k8s, "8");
    }

    /**
     * A hand edit of an operand that keeps the operator's hash annotation (the node agent DaemonSet given an extra
     * variable, a Service's port, the node agent's ClusterRole's rules) or a deleted operand (the RuntimeClass) is
     * put back by the operator within 60 s, with a Warning event naming the object and the field.
     */
    @Test
    @Order(3)
    void anOperandEditedByHandIsPutBackWithinAMinute(KubernetesClient k8s) throws Exception {
        var ds = k8s.apps().daemonSets().inNamespace("gpu-operator").withName("gpuop-node-agent");
        String hash = ds.get().getMetadata().getAnnotations().get("gpuop.dev/desired-hash");
        ds.edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv()
                .add(new io.fabric8.kubernetes.api.model.EnvVar("HAND_EDIT", "1", null));
            return d;
        });
        assertThat(ds.get().getMetadata().getAnnotations()).containsEntry("gpuop.dev/desired-hash", hash);
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && ds.get().getSpec().getTemplate().getSpec().getContainers().getFirst()
            .getEnv().stream().anyMatch(e -> e.getName().equals("HAND_EDIT"))) {
            Thread.sleep(500);
        }
        assertThat(ds.get().getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv())
            .as("put back within 60 s").noneMatch(e -> e.getName().equals("HAND_EDIT"));
        awaitDriftEvent(k8s, "DaemonSet gpuop-node-agent was changed by hand at spec.template");
        // a Service too: the operator watches its Services, so this does not wait for the 5-minute resync
        var svc = k8s.services().inNamespace("gpu-operator").withName("nvidia-dcgm-exporter");
        svc.edit(x -> {
            x.getSpec().getPorts().getFirst().setPort(9401);
            return x;
        });
        long svcDeadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < svcDeadline && svc.get().getSpec().getPorts().getFirst().getPort() != 9400) {
            Thread.sleep(500);
        }
        assertThat(svc.get().getSpec().getPorts().getFirst().getPort()).as("Service put back within 60 s")
            .isEqualTo(9400);
        // cluster-scoped operands too (watched by label): a ClusterRole whose verbs were cut and a deleted RuntimeClass
        var role = k8s.rbac().clusterRoles().withName("gpuop-node-agent");
        var rules = role.get().getRules();
        var edited = role.edit(r -> {
            r.getRules().getFirst().setVerbs(List.of("get"));
            return r;
        });
        // the API server's answer to the edit, not a read after it: the operator may have put it back already
        assertThat(edited.getRules()).as("the hand edit took").isNotEqualTo(rules);
        var runtimeClass = k8s.resources(io.fabric8.kubernetes.api.model.node.v1.RuntimeClass.class).withName("nvidia");
        assertThat(runtimeClass.get()).as("the policy's RuntimeClass").isNotNull();
        runtimeClass.withTimeout(30, java.util.concurrent.TimeUnit.SECONDS).delete();
        long clusterDeadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < clusterDeadline && (!role.get().getRules().equals(rules)
            || runtimeClass.get() == null)) {
            Thread.sleep(500);
        }
        assertThat(role.get().getRules()).as("ClusterRole put back within 60 s").isEqualTo(rules);
        assertThat(runtimeClass.get()).as("RuntimeClass created again within 60 s").isNotNull();
        assertThat(runtimeClass.get().getHandler()).isEqualTo("nvidia");
        awaitDriftEvent(k8s, "ClusterRole gpuop-node-agent was changed by hand at rules");
        // the DaemonSet rolls out the put-back template before the next test
        long rolled = System.nanoTime() + java.time.Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < rolled) {
            var d = ds.get();
            var st = d.getStatus();
            if (st != null && java.util.Objects.equals(st.getObservedGeneration(), d.getMetadata().getGeneration())
                && java.util.Objects.equals(st.getUpdatedNumberScheduled(), st.getDesiredNumberScheduled())
                && java.util.Objects.equals(st.getNumberReady(), st.getDesiredNumberScheduled())) {
                break;
            }
            Thread.sleep(500);
        }
        awaitAllocatable(k8s, "8");
    }

    /** Waits up to 30 s for a condition of the policy whose message contains {@code text}. */
    private static void awaitPolicyMessage(KubernetesClient k8s, String text) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        String seen = "";
        while (System.nanoTime() < deadline) {
            var p = k8s.resources(dev.gpuop.api.v1alpha1.ClusterPolicy.class).withName("cluster-policy").get();
            seen = p.getStatus() == null || p.getStatus().conditions() == null ? "" : p.getStatus().conditions()
                .stream().map(c -> c.getMessage()).filter(java.util.Objects::nonNull)
                .collect(java.util.stream.Collectors.joining(" | "));
            if (seen.contains(text)) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no policy condition says " + text + " within 30 s: " + seen);
    }

    private static String agentUid(KubernetesClient k8s) {
        return k8s.pods().inNamespace("gpu-operator").withLabel("app", "gpuop-node-agent").list().getItems().stream()
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null).map(p -> p.getMetadata().getUid())
            .findFirst().orElse("");
    }

    /** Waits for a node agent pod other than {@code old}, ready, and returns its UID. */
    private static String awaitNewAgent(KubernetesClient k8s, String old) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            for (Pod p : k8s.pods().inNamespace("gpu-operator").withLabel("app", "gpuop-node-agent").list()
                .getItems()) {
                if (!p.getMetadata().getUid().equals(old) && p.getMetadata().getDeletionTimestamp() == null
                    && p.getStatus().getConditions().stream()
                        .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"))) {
                    return p.getMetadata().getUid();
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no new node agent pod became ready (old: " + old + ")");
    }

    /** Waits until the node's only node agent pod is the given DaemonSet's, ready. */
    private static void awaitAgent(KubernetesClient k8s, String daemonSet) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(120).toNanos();
        List<Pod> agents = List.of();
        while (System.nanoTime() < deadline) {
            agents = k8s.pods().inNamespace("gpu-operator").list().getItems().stream()
                .filter(p -> p.getMetadata().getName().startsWith("gpuop-node-agent"))
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
            if (agents.size() == 1 && daemonSet.equals(agents.getFirst().getMetadata().getLabels().get("app"))
                && agents.getFirst().getStatus().getConditions().stream()
                    .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"))) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the node's agent is not " + daemonSet + " alone and ready: " + agents.stream()
            .map(p -> p.getMetadata().getName() + " " + p.getStatus().getPhase()).toList());
    }

    private static void awaitAllocatable(KubernetesClient k8s, String gpus) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(90).toNanos();
        String now = null;
        while (System.nanoTime() < deadline) {
            var q = k8s.nodes().withName(TestCluster.NODE).get().getStatus().getAllocatable().get("nvidia.com/gpu");
            now = q == null ? null : q.getAmount();
            if (gpus.equals(now)) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("allocatable nvidia.com/gpu is " + now + ", not " + gpus);
    }

    @Test
    @Order(4)
    void downStopsTheClusterAndRemovesTheDemosFiles(TestCluster cluster) throws Exception {
        Process p = new ProcessBuilder("bash", "scripts/demo.sh", "--down").directory(cluster.repo().toFile())
            .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).contains("release \"gpuop\" uninstalled");
        Process status = new ProcessBuilder("bash", "testenv/cluster.sh", "status")
            .directory(cluster.repo().toFile()).redirectErrorStream(true).start();
        String st = new String(status.getInputStream().readAllBytes());
        assertThat(status.waitFor()).as(st).isNotZero();
        assertThat(DEMO_DIR).doesNotExist();
        assertThat(cluster.kubeconfig()).doesNotExist();
    }

    private static String demo(Path repo) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "scripts/demo.sh").directory(repo.toFile())
            .redirectErrorStream(true);
        // the tier's build, image and cluster are there already
        pb.environment().put("GPUOP_DEMO_BUILD", "0");
        pb.environment().put("GPUOP_TESTENV_BUILD", "0");
        Path log = Files.createTempFile("demo", ".log");
        Process p = pb.redirectOutput(log.toFile()).start();
        boolean done = p.waitFor(8, TimeUnit.MINUTES);
        String out = Files.readString(log);
        Files.delete(log);
        if (!done) {
            p.destroyForcibly();
        }
        assertThat(done && p.exitValue() == 0).as(out).isTrue();
        return out;
    }

    /** UUID to device minor of the simulated host, as {@code gpuop gpus} reads the fixture. */
    private static Map<String, Integer> simulatedMinors(Path repo) throws Exception {
        Process p = new ProcessBuilder(repo.resolve("bin/gpuop").toString(), "gpus", "--simulate", "h100-sxm-8x",
            "-o", "json").start();
        JsonNode gpus = new ObjectMapper().readTree(p.getInputStream()).path("gpus");
        assertThat(p.waitFor()).isZero();
        Map<String, Integer> minors = new java.util.HashMap<>();
        gpus.forEach(g -> minors.put(g.path("uuid").asText(), g.path("minorNumber").asInt()));
        assertThat(minors).hasSize(8);
        return minors;
    }

    /**
     * Waits up to 30 s for the operator's DriftCorrected event naming the object and field: the operator posts it
     * after its write, so a put-back seen at once may still be without its event for a moment.
     */
    private static void awaitDriftEvent(KubernetesClient k8s, String message) throws InterruptedException {
        java.util.function.Supplier<List<io.fabric8.kubernetes.api.model.Event>> events =
            () -> k8s.v1().events().inAnyNamespace().list().getItems();
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && events.get().stream().noneMatch(e -> "DriftCorrected"
            .equals(e.getReason()) && e.getMessage() != null && e.getMessage().contains(message))) {
            Thread.sleep(250);
        }
        assertThat(events.get()).anySatisfy(e -> {
            assertThat(e.getReason()).isEqualTo("DriftCorrected");
            assertThat(e.getMessage()).contains(message);
        });
    }
}
