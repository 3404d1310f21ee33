package dev.gpuop.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import dev.gpuop.api.v1alpha1.ClusterPolicy;
import dev.gpuop.api.v1alpha1.PolicyState;
import dev.gpuop.testsupport.TestCluster;
import dev.gpuop.testsupport.TestClusterExtension;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The seed's step 4 on the real cluster: {@code helm install} of our chart with the seed's exact flags and our image
 * imported into the node's containerd. The node starts with no GPU label at all and no NFD runs: the operator (a
 * pod against the real API server) starts its discovery pod there, which finds the GPUs (8 simulated H100s through
 * the policy's {@code nodeAgent.env}) and labels the node; then the node agent DaemonSet lands on it, registers
 * {@code nvidia.com/gpu} with the real kubelet, reports ready, and the ClusterPolicy turns {@code ready}.
 * The seed's flags turn gpuop's toolkit off, and this node's containerd has no NVIDIA runtime: the node checks say
 * so (no {@code toolkit-ready}, the verdict names the handler), as do {@code gpuop status} and {@code gpuop doctor};
 * a validator key gpuop does not read makes the policy {@code notReady} naming the field.
 */
@ExtendWith(TestClusterExtension.class)
class OperatorChartE2E {

    private static final String NS = "gpu-operator";
    private static final String RELEASE = "gpuop";
    private static final String NFD_LABEL = "feature.node.kubernetes.io/pci-10de.present";
    private static final java.util.List<String> VALIDATIONS = java.util.List.of("driver-ready", "toolkit-ready",
        "cuda-ready", "plugin-ready");
    private static Path repo;
    private static Path chart;
    private static Path kubeconfig;

    @BeforeAll
    static void install(TestCluster cluster, KubernetesClient k8s) throws Exception {
        E2eSupport.readyForInstall(cluster, k8s, NS);
        forgetGpus(k8s);
        // NVIDIA's status files of an earlier run: the node agent must write them anew
        for (String f : VALIDATIONS) {
            Files.deleteIfExists(Path.of("/run/nvidia/validations", f));
        }
        repo = cluster.repo();
        chart = repo.resolve("deploy/helm/gpuop");
        kubeconfig = cluster.kubeconfig();
        Release r = new Helm(chart).install().withName(RELEASE).withNamespace(NS).createNamespace()
            .withKubeConfig(kubeconfig).waitReady().withTimeout(300)
            // the seed's flags, exactly
            .set("operator.defaultRuntime", "containerd").set("driver.enabled", "false")
            .set("toolkit.enabled", "false")
            // testenv keeps containerd's socket under its state dir: the node checks ask containerd there
            .set("toolkit.env[0].name", "CONTAINERD_SOCKET")
            .set("toolkit.env[0].value", kubeconfig.getParent().resolve("containerd/containerd.sock").toString())
            // this cluster: the image was imported, and the node has no GPU, so the agent simulates eight
            .set("operator.image.tag", "dev").set("operator.image.pullPolicy", "Never")
            .set("nodeAgent.imagePullPolicy", "Never")
            .set("nodeAgent.env[0].name", "GPUOP_SIMULATE").set("nodeAgent.env[0].value", "h100-sxm-8x")
            .call();
        assertThat(r.getStatus()).isEqualTo("deployed");
    }

    /**
     * After every test, the operator's own log: nothing logged as SEVERE, no stack trace. An event handler that
     * threw on the operator's pruned Node objects (NodeCacheStore) dropped every node update, and nothing else
     * showed it: the 15 s requeue still labelled the nodes.
     */
    @AfterAll
    static void uninstall(KubernetesClient k8s) throws Exception {
        String operatorLog = k8s.pods().inNamespace(NS).list().getItems().stream()
            .filter(pod -> pod.getSpec().getContainers().stream().anyMatch(c -> c.getName().equals("gpuop-operator")))
            .map(pod -> k8s.pods().inNamespace(NS).withName(pod.getMetadata().getName()).inContainer("gpuop-operator")
                .getLog())
            .collect(java.util.stream.Collectors.joining("\n"));
        try {
            removeTheRelease(k8s);
        } finally {
            assertThat(operatorLog).as("the operator's log").isNotBlank()
                .doesNotContain("SEVERE").doesNotContainPattern("\\n\\s+at [a-z]+\\.");
        }
    }

    private static void removeTheRelease(KubernetesClient k8s) throws Exception {
        Helm.uninstall(RELEASE).withNamespace(NS).withKubeConfig(kubeconfig).ignoreNotFound().call();
        // the node agent must be gone before other tests serve the same device plugin socket
        await(() -> k8s.pods().inNamespace(NS).list().getItems().isEmpty(), Duration.ofSeconds(120),
            () -> "pods left in " + NS + ": " + k8s.pods().inNamespace(NS).list().getItems().stream()
                .map(p -> p.getMetadata().getName()).toList());
        k8s.namespaces().withName(NS).delete();
        forgetGpus(k8s);
    }

    private static void forgetGpus(KubernetesClient k8s) {
        E2eSupport.forgetGpus(k8s, NFD_LABEL);
    }

    private static void await(Supplier<Boolean> done, Duration timeout, Supplier<String> why) throws Exception {
        E2eSupport.await(done, timeout, why);
    }

    private static String diagnostics(KubernetesClient k8s) {
        StringBuilder sb = new StringBuilder();
        ClusterPolicy p = k8s.resources(ClusterPolicy.class).withName("cluster-policy").get();
        sb.append("policy status: ").append(p == null ? "none" : p.getStatus()).append('\n');
        sb.append(E2eSupport.podLogs(k8s, NS));
        return sb.toString();
    }

    /** Runs bin/gpuop as an admin does; its output, after checking its exit code. */
    private static String gpuop(int exit, String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(repo.resolve("bin/gpuop")
            .toString()));
        cmd.addAll(java.util.List.of(args));
        Path err = Files.createTempFile("gpuop-stderr", ".txt");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes());
        int code = p.waitFor();
        String stderr = Files.readString(err);
        Files.delete(err);
        assertThat(code).as(out + stderr).isEqualTo(exit);
        assertThat(stderr).as("a command an admin reads says nothing on stderr when it works").isEmpty();
        return out;
    }

    /** gpuop doctor's cluster half as JSON: each step's worst result (FAIL over WARN over PASS). */
    private static Map<String, String> doctor(int exit) throws Exception {
        com.fasterxml.jackson.databind.JsonNode report = new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(gpuop(exit, "doctor", "--no-host", "--kubeconfig", kubeconfig.toString(), "-o", "json"));
        Map<String, String> worst = new java.util.TreeMap<>();
        java.util.List<String> order = java.util.List.of("SKIP", "PASS", "WARN", "FAIL");
        report.path("findings").forEach(f -> worst.merge(f.path("step").asText(), f.path("result").asText(),
            (a, b) -> order.indexOf(a) >= order.indexOf(b) ? a : b));
        return worst;
    }

    @Test
    void theSeedsHelmCommandGivesAReadyPolicyAndTheNodeAgentOnTheGpuNode(KubernetesClient k8s) throws Exception {
        // ready operands, and the node agent's report on its Node (written every 10 s, so it may come a little after
        // its DaemonSet turned ready)
        await(() -> {
            ClusterPolicy p = k8s.resources(ClusterPolicy.class).withName("cluster-policy").get();
            return p != null && p.getStatus() != null && p.getStatus().state() == PolicyState.READY
                && Integer.valueOf(1).equals(p.getStatus().readyNodes());
        }, Duration.ofSeconds(240), () -> diagnostics(k8s));
        ClusterPolicy p = k8s.resources(ClusterPolicy.class).withName("cluster-policy").get();
        assertThat(p.getStatus().gpuNodes()).isEqualTo(1);
        assertThat(p.getStatus().readyNodes()).isEqualTo(1);
        assertThat(p.getStatus().operands()).extracting(o -> o.name() + "=" + o.state()).contains(
            "node-discovery=READY", "node-agent=READY", "driver=DISABLED", "mig-manager=READY");

        DaemonSet agent = k8s.apps().daemonSets().inNamespace(NS).withName("gpuop-node-agent").get();
        assertThat(agent.getStatus().getNumberAvailable()).isEqualTo(1);
        Node node = k8s.nodes().withName(TestCluster.NODE).get();
        Map<String, String> labels = node.getMetadata().getLabels();
        assertThat(labels).as("discovered without NFD").doesNotContainKey(NFD_LABEL)
            .containsEntry("nvidia.com/gpu.present", "true")
            .containsEntry("nvidia.com/gpu.deploy.node-agent", "true")
            .containsEntry("gpuop.dev/distribution", "containerd")
            .containsEntry("nvidia.com/gpu.deploy.driver", "pre-installed")
            // GFD's feature labels, written by the node agent (gfd.enabled defaults to true)
            .containsEntry("nvidia.com/gpu.count", "8").containsEntry("nvidia.com/gpu.family", "hopper")
            .containsKey("nvidia.com/gpu.product");
        // the agent is ready once registered; the kubelet posts the new allocatable with its next status update
        Supplier<String> allocatable = () -> {
            Quantity q = k8s.nodes().withName(TestCluster.NODE).get().getStatus().getAllocatable()
                .get("nvidia.com/gpu");
            return q == null ? null : q.getAmount();
        };
        await(() -> "8".equals(allocatable.get()), Duration.ofSeconds(60),
            () -> "allocatable nvidia.com/gpu is " + allocatable.get());
        // dcgm-exporter's metric names (dcgmExporter.enabled defaults to true) where NVIDIA's are: the Service
        // nvidia-dcgm-exporter, port gpu-metrics, read through the API server's service proxy
        String path = "/api/v1/namespaces/" + NS + "/services/nvidia-dcgm-exporter:gpu-metrics/proxy/metrics";
        var metrics = new java.util.concurrent.atomic.AtomicReference<String>("");
        await(() -> {
            try {
                metrics.set(k8s.raw(path));
            } catch (RuntimeException e) {
                metrics.set(String.valueOf(e.getMessage()));
            }
            return metrics.get() != null && metrics.get().contains("DCGM_FI_DEV_GPU_UTIL{");
        }, Duration.ofSeconds(60), () -> "GPU metrics through the Service: " + metrics.get());
        assertThat(metrics.get()).contains("DCGM_FI_DEV_FB_USED{").contains("Hostname=\"" + TestCluster.NODE + "\"");
        // NVIDIA's status files on the node (its /run/nvidia/validations), written by the node agent's checks: not
        // toolkit-ready, since this containerd has no nvidia handler, nor plugin-ready, whose workload pod cannot
        // start on that runtime class (CUDA is not run on simulated GPUs)
        Path validations = Path.of("/run/nvidia/validations");
        java.util.List<String> ready = java.util.List.of("driver-ready", "cuda-ready");
        await(() -> ready.stream().allMatch(f -> Files.exists(validations.resolve(f))), Duration.ofSeconds(60),
            () -> "validation files: " + VALIDATIONS.stream().filter(f -> Files.exists(validations.resolve(f)))
                .toList() + "\n" + diagnostics(k8s));
        assertThat(validations.resolve("toolkit-ready")).doesNotExist();
        assertThat(validations.resolve("plugin-ready")).doesNotExist();
        // the workload pod the agent started: this node, one GPU, the runtime class whose handler is missing
        await(() -> !k8s.pods().inNamespace(NS).withLabel("gpuop.dev/workload-check", "true").list().getItems()
            .isEmpty(), Duration.ofSeconds(60), () -> diagnostics(k8s));
        Pod workload = k8s.pods().inNamespace(NS).withLabel("gpuop.dev/workload-check", "true").list().getItems()
            .getFirst();
        assertThat(workload.getSpec().getNodeName()).isEqualTo(TestCluster.NODE);
        assertThat(workload.getSpec().getRuntimeClassName()).isEqualTo("nvidia");
        assertThat(workload.getSpec().getContainers().getFirst().getResources().getLimits())
            .containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThat(workload.getStatus().getPhase()).as("no handler, no container").isEqualTo("Pending");
        assertThat(Files.readString(validations.resolve("driver-ready"))).contains("IS_HOST_DRIVER=true");
        // the verdict in the policy's node list, through the agent's Node report: the first failed stage and why
        Supplier<String> verdict = () -> k8s.resources(ClusterPolicy.class).withName("cluster-policy").get()
            .getStatus().nodes().stream().map(n -> String.valueOf(n.validation())).findFirst().orElse("");
        await(() -> verdict.get().startsWith("toolkit: containerd"), Duration.ofSeconds(60), () -> diagnostics(k8s));
        assertThat(verdict.get()).contains("has no runtime handler 'nvidia'", "runc");
        // gpuop status, as an admin runs it: the node's line and the policy from what was published
        String table = gpuop(0, "status", "--kubeconfig", kubeconfig.toString());
        assertThat(table.lines().filter(l -> l.startsWith(TestCluster.NODE)).findFirst()).as(table).get()
            .asString().contains("containerd", "(host)", "8x ", "8/8", "ready", "toolkit:");
        assertThat(table).contains("ClusterPolicy cluster-policy: ready");
        // gpuop doctor's cluster half: everything in place but the handler on this node
        Map<String, String> doctor = doctor(1);
        assertThat(doctor).containsEntry("crd", "PASS").containsEntry("operator", "PASS")
            .containsEntry("cluster-policy", "PASS").containsEntry("node-labels", "PASS")
            .containsEntry("allocatable", "PASS").containsEntry("runtime-class", "FAIL")
            .containsEntry("node-checks", "FAIL");

        // a key of NVIDIA's validator section that gpuop's checks do not read: refused by name, policy notReady
        k8s.resources(ClusterPolicy.class).withName("cluster-policy").patch(io.fabric8.kubernetes.client.dsl.base
            .PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"spec\":{\"validator\":{\"toolkit\":{\"env\":[{\"name\":\"WITH_WAIT\",\"value\":\"true\"}]}}}}");
        await(() -> k8s.resources(ClusterPolicy.class).withName("cluster-policy").get().getStatus().state()
            == PolicyState.NOT_READY, Duration.ofSeconds(60), () -> diagnostics(k8s));
        assertThat(gpuop(0, "status", "--kubeconfig", kubeconfig.toString()))
            .contains("ClusterPolicy cluster-policy: notReady");
        String text = gpuop(1, "doctor", "--no-host", "--kubeconfig", kubeconfig.toString());
        assertThat(text.lines().filter(l -> l.startsWith("cluster/cluster-policy")).findFirst()).as(text).get()
            .asString().contains("FAIL", "notReady", "spec.validator.toolkit.env[0].name", "WITH_WAIT");
        k8s.resources(ClusterPolicy.class).withName("cluster-policy").patch(io.fabric8.kubernetes.client.dsl.base
            .PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"spec\":{\"validator\":{\"toolkit\":{\"env\":[]}}}}");
        await(() -> k8s.resources(ClusterPolicy.class).withName("cluster-policy").get().getStatus().state()
            == PolicyState.READY, Duration.ofSeconds(60), () -> diagnostics(k8s));
        assertThat(k8s.resources(io.fabric8.kubernetes.api.model.node.v1.RuntimeClass.class).withName("nvidia")
            .get().getHandler()).isEqualTo("nvidia");
        assertThat(Files.exists(chart.resolve("crds/clusterpolicies.gpuop.dev.yaml"))).isTrue();
    }

    /**
     * What each component needs, written down apart from the chart and the operator's manifests, so that a rule
     * added there without a reason fails here. Every account in the release's namespace is listed by kubectl;
     * what any account may do (a fresh one's list, the namespace's {@code default}) is left out.
     */
    private static final Map<String, Map<String, String>> NEEDS = Map.of(
        "gpuop-operator", Map.ofEntries(
            Map.entry("clusterpolicies.gpuop.dev", "get list watch update patch"),
            Map.entry("clusterpolicies.gpuop.dev/status", "get update patch"),
            Map.entry("clusterpolicies.gpuop.dev/finalizers", "update"),
            Map.entry("nodes", "get list watch patch update"),
            Map.entry("daemonsets.apps", "get list watch create update patch delete"),
            Map.entry("controllerrevisions.apps", "get list watch"),
            Map.entry("pods", "get list watch create delete"),
            // the driver upgrade's drain
            Map.entry("pods/eviction", "create"),
            Map.entry("configmaps", "get list watch create update patch delete"),
            Map.entry("serviceaccounts", "get list watch create update patch delete"),
            Map.entry("services", "get list watch create update patch delete"),
            Map.entry("clusterroles.rbac.authorization.k8s.io", "get list watch create update patch delete"),
            Map.entry("clusterrolebindings.rbac.authorization.k8s.io", "get list watch create update patch delete"),
            Map.entry("roles.rbac.authorization.k8s.io", "get list watch create update patch delete"),
            Map.entry("rolebindings.rbac.authorization.k8s.io", "get list watch create update patch delete"),
            Map.entry("runtimeclasses.node.k8s.io", "get list watch create update patch delete"),
            Map.entry("events", "create patch"),
            Map.entry("events.events.k8s.io", "create patch"),
            Map.entry("leases.coordination.k8s.io", "get create update patch")),
        // its Node (report, labels, the device plugin config label) and its workload check pod
        "gpuop-node-agent", Map.of("nodes", "get patch watch", "pods", "create get delete"));

    @Test
    void everyServiceAccountMayDoOnlyWhatItsComponentNeeds(TestCluster cluster) throws Exception {
        Path kubectl = cluster.repo().resolve("testenv/.bin/kubectl");
        Map<String, java.util.Set<String>> anyone = ServiceAccountRights.list(kubectl, kubeconfig, NS, "default");
        java.util.List<String> accounts = cluster.client().serviceAccounts().inNamespace(NS).list().getItems()
            .stream().map(a -> a.getMetadata().getName()).filter(n -> !n.equals("default")).sorted().toList();
        assertThat(accounts).as("the release's service accounts").containsAll(NEEDS.keySet());
        java.util.List<String> beyond = new java.util.ArrayList<>();
        for (String account : accounts) {
            Map<String, String> needs = NEEDS.getOrDefault(account, Map.of());
            ServiceAccountRights.list(kubectl, kubeconfig, NS, account).forEach((resource, verbs) -> {
                java.util.Set<String> extra = new java.util.TreeSet<>(verbs);
                extra.removeAll(anyone.getOrDefault(resource, java.util.Set.of()));
                extra.removeAll(java.util.List.of(needs.getOrDefault(resource, "").split(" ")));
                if (resource.contains("*") || !extra.isEmpty()) {
                    beyond.add(account + " may " + extra + " " + resource);
                }
            });
        }
        assertThat(beyond).as("rights beyond what the components need (or a wildcard)").isEmpty();
    }
}
