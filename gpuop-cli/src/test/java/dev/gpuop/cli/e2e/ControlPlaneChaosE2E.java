package dev.gpuop.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import dev.gpuop.api.v1alpha1.ClusterPolicy;
import dev.gpuop.api.v1alpha1.ClusterPolicyStatus;
import dev.gpuop.api.v1alpha1.PolicyState;
import dev.gpuop.testsupport.TestCluster;
import dev.gpuop.testsupport.TestClusterExtension;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The control plane goes away under the operator (issue 16): a policy change is made and at once the API server is
 * stopped for 60 s and etcd restarted. When the API server is back, the operator (a pod, installed by the chart)
 * must apply the change, the policy must be {@code ready} again for the new generation, and the operands must be the
 * same objects as before: none duplicated, none left over. The node's GPUs stay allocatable. Recovery (API server
 * back → policy ready with the change) goes to {@code target/e2e-reports/chaos.txt}.
 */
@ExtendWith(TestClusterExtension.class)
class ControlPlaneChaosE2E {

    private static final String NS = "gpu-operator";
    private static final String RELEASE = "gpuop";
    private static final String POLICY = "cluster-policy";
    /** The label the operator puts on every object it makes. */
    private static final String OPERAND = "gpuop.dev/operand";
    /** One outage in CI (a minute each); {@code scripts/test.sh --chaos-long} runs ten, -Dgpuop.chaos.outages N. */
    private static final int OUTAGES = Integer.getInteger("gpuop.chaos.outages", ChaosReport.RUNS >= 100 ? 10 : 1);
    private static final int OUTAGE_SECONDS = Integer.getInteger("gpuop.chaos.outageSeconds", 60);
    private static Path kubeconfig;

    @BeforeAll
    static void install(TestCluster cluster, KubernetesClient k8s) throws Exception {
        E2eSupport.readyForInstall(cluster, k8s, NS);
        E2eSupport.forgetGpus(k8s, "feature.node.kubernetes.io/pci-10de.present");
        kubeconfig = cluster.kubeconfig();
        new Helm(cluster.repo().resolve("deploy/helm/gpuop")).install().withName(RELEASE).withNamespace(NS)
            .createNamespace().withKubeConfig(kubeconfig).waitReady().withTimeout(300)
            .set("operator.defaultRuntime", "containerd").set("driver.enabled", "false")
            .set("toolkit.enabled", "false").set("migManager.enabled", "false")
            .set("operator.image.tag", "dev").set("operator.image.pullPolicy", "Never")
            .set("nodeAgent.imagePullPolicy", "Never")
            .set("nodeAgent.env[0].name", "GPUOP_SIMULATE").set("nodeAgent.env[0].value", "h100-sxm-8x")
            .call();
        E2eSupport.await(() -> state(k8s) == PolicyState.READY, Duration.ofSeconds(240),
            () -> "policy not ready after install: " + status(k8s) + "\n" + E2eSupport.podLogs(k8s, NS));
    }

    @AfterAll
    static void uninstall(KubernetesClient k8s) throws Exception {
        Helm.uninstall(RELEASE).withNamespace(NS).withKubeConfig(kubeconfig).ignoreNotFound().call();
        E2eSupport.await(() -> k8s.pods().inNamespace(NS).list().getItems().isEmpty(), Duration.ofSeconds(120),
            () -> "pods left in " + NS);
        k8s.namespaces().withName(NS).delete();
        E2eSupport.forgetGpus(k8s, "feature.node.kubernetes.io/pci-10de.present");
    }

    @Test
    void aPolicyChangeInFlightSurvivesAnApiServerOutageAndAnEtcdRestart(TestCluster cluster, KubernetesClient k8s)
        throws Exception {
        ChaosReport report = new ChaosReport("API server down " + OUTAGE_SECONDS + " s and etcd restarted during a "
            + "policy change (API back to policy ready)");
        TreeSet<String> operands = operandObjects(k8s);
        int restartsBefore = operatorRestarts(k8s);
        for (int i = 1; i <= OUTAGES; i++) {
            String value = "outage-" + i;
            k8s.resources(ClusterPolicy.class).withName(POLICY).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"devicePlugin\":{\"env\":[{\"name\":\"CHAOS_RUN\",\"value\":\"" + value + "\"}]}}}");
            long generation = k8s.resources(ClusterPolicy.class).withName(POLICY).get().getMetadata()
                .getGeneration();
            cluster.apiServerOutage(OUTAGE_SECONDS, true);
            long back = System.nanoTime();
            E2eSupport.await(() -> applied(k8s, value) && readyAt(k8s, generation), Duration.ofSeconds(300),
                () -> "after the outage, the change " + value + " is not applied and ready: " + status(k8s) + "\n"
                    + E2eSupport.podLogs(k8s, NS));
            report.run((System.nanoTime() - back) / 1e6);
            TreeSet<String> now = operandObjects(k8s);
            if (!now.equals(operands)) {
                report.failure("operand objects changed: before " + operands + ", after " + now + "; node labels "
                    + deployLabels(k8s));
            }
            // the change rolls the node agent's pod: its GPUs come back once the new pod has registered
            try {
                E2eSupport.await(() -> "8".equals(allocatable(k8s)), Duration.ofSeconds(90), () -> "");
            } catch (AssertionError e) {
                report.failure("allocatable nvidia.com/gpu after outage " + i + ": " + allocatable(k8s)
                    + "; node labels " + deployLabels(k8s));
            }
        }
        report.note("operator pod restarts " + (operatorRestarts(k8s) - restartsBefore));
        report.write();
        assertThat(report.failures()).as(report.line()).isEmpty();
    }

    private static String allocatable(KubernetesClient k8s) {
        Quantity q = k8s.nodes().withName(TestCluster.NODE).get().getStatus().getAllocatable().get("nvidia.com/gpu");
        return q == null ? null : q.getAmount();
    }

    private static java.util.Map<String, String> deployLabels(KubernetesClient k8s) {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        k8s.nodes().withName(TestCluster.NODE).get().getMetadata().getLabels().forEach((k, v) -> {
            if (k.startsWith("nvidia.com/gpu.deploy.")) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static boolean applied(KubernetesClient k8s, String value) {
        DaemonSet ds = k8s.apps().daemonSets().inNamespace(NS).withName("gpuop-node-agent").get();
        return ds != null && ds.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv().stream()
            .anyMatch(e -> e.getName().equals("CHAOS_RUN") && value.equals(e.getValue()));
    }

    private static boolean readyAt(KubernetesClient k8s, long generation) {
        ClusterPolicyStatus s = status(k8s);
        return s != null && s.state() == PolicyState.READY && Objects.equals(s.observedGeneration(), generation);
    }

    private static ClusterPolicyStatus status(KubernetesClient k8s) {
        ClusterPolicy p = k8s.resources(ClusterPolicy.class).withName(POLICY).get();
        return p == null ? null : p.getStatus();
    }

    private static PolicyState state(KubernetesClient k8s) {
        ClusterPolicyStatus s = status(k8s);
        return s == null ? null : s.state();
    }

    /** Every object the operator made, by kind and name (uid too, so a re-created one counts as a change). */
    private static TreeSet<String> operandObjects(KubernetesClient k8s) {
        List<List<? extends HasMetadata>> lists = List.of(
            k8s.apps().daemonSets().inNamespace(NS).withLabel(OPERAND).list().getItems(),
            k8s.services().inNamespace(NS).withLabel(OPERAND).list().getItems(),
            k8s.configMaps().inNamespace(NS).withLabel(OPERAND).list().getItems(),
            k8s.serviceAccounts().inNamespace(NS).withLabel(OPERAND).list().getItems(),
            k8s.rbac().roles().inNamespace(NS).withLabel(OPERAND).list().getItems(),
            k8s.rbac().clusterRoles().withLabel(OPERAND).list().getItems(),
            k8s.rbac().clusterRoleBindings().withLabel(OPERAND).list().getItems());
        TreeSet<String> names = new TreeSet<>();
        lists.stream().flatMap(List::stream).forEach(o -> names.add(o.getKind() + "/" + o.getMetadata().getName()
            + "/" + o.getMetadata().getUid()));
        return names;
    }

    /** Restarts of the operator's pod (the Deployment's; the operands' pods belong to DaemonSets). */
    private static int operatorRestarts(KubernetesClient k8s) {
        return k8s.pods().inNamespace(NS).list().getItems().stream()
            .filter(p -> p.getMetadata().getOwnerReferences().stream().anyMatch(o -> o.getKind().equals("ReplicaSet")))
            .flatMap(ControlPlaneChaosE2E::statuses).mapToInt(c -> c.getRestartCount()).sum();
    }

    private static Stream<io.fabric8.kubernetes.api.model.ContainerStatus> statuses(Pod p) {
        return p.getStatus().getContainerStatuses() == null ? Stream.empty()
            : p.getStatus().getContainerStatuses().stream();
    }
}
