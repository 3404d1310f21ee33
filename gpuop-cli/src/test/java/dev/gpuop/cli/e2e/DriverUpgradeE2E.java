package dev.gpuop.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.api.v1alpha1.DriverSpec;
import dev.gpuop.api.v1alpha1.DriverUpgradePolicySpec;
import dev.gpuop.operator.controller.DriverUpgradeController;
import dev.gpuop.operator.controller.NodeCacheStore;
import dev.gpuop.operator.upgrade.UpgradeState;
import dev.gpuop.testsupport.TestCluster;
import dev.gpuop.testsupport.TestClusterExtension;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The driver upgrade controller against testenv's real API server, controller manager and scheduler, on 100 KWOK
 * GPU nodes and testenv's real node: an OnDelete driver DaemonSet whose template changes, GPU pods of a Deployment on
 * the KWOK nodes, NVIDIA's limit {@code maxParallelUpgrades: 10} checked every second, and an operator restart half
 * way (a new controller that knows only the nodes' labels). On the real node the driver pod runs as the operator
 * renders it there: gpuop's {@code driver prestart} init container from gpuop's image (the host root mounted as the
 * operand mounts it), then a stand-in for NVIDIA's driver container that writes its files and becomes ready seconds
 * later. KWOK makes each of its driver pods ready at once.
 */
@ExtendWith(TestClusterExtension.class)
class DriverUpgradeE2E {

    static final String NS = "gpuop-upgrade-e2e";
    static final String ON = "gpuop.dev/e2e-driver";
    static final String IMAGE = "docker.io/gpuop/gpuop:dev";
    static final int NODES = 100;
    static final int PARALLEL = 10;

    @Test
    void aHundredNodesGetTheNewDriverNeverMoreThanTenCordonedAndSurviveAnOperatorRestart(TestCluster cluster,
        KubernetesClient k8s) throws Exception {
        // a run before this one may still be deleting its namespace (its DaemonSet would clash with ours)
        E2eSupport.readyForInstall(cluster, k8s, NS);
        ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor();
        DriverUpgradeController controller = null;
        try {
            cluster.kwokNodes(NODES);
            for (Node n : k8s.nodes().list().getItems()) {
                patchNode(k8s, n.getMetadata().getName(), Map.of("metadata", Map.of("labels", Map.of(ON, "true"))));
            }
            k8s.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                .serverSideApply();
            k8s.apps().daemonSets().inNamespace(NS).resource(new DaemonSetBuilder().withNewMetadata()
                .withName("nvidia-driver-daemonset").endMetadata().withNewSpec()
                .withNewSelector().addToMatchLabels("app", "nvidia-driver-daemonset").endSelector()
                .withNewUpdateStrategy().withType("OnDelete").endUpdateStrategy()
                .withTemplate(driverTemplate("580.95.05")).endSpec().build())
                .serverSideApply();
            k8s.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder().withNewMetadata()
                .withName("trainer").endMetadata().withNewSpec().withReplicas(20)
                .withNewSelector().addToMatchLabels("app", "trainer").endSelector()
                .withTemplate(trainerTemplate()).endSpec().build()).serverSideApply();
            E2eSupport.await(() -> readyDrivers(k8s, null) == NODES + 1 && readyTrainers(k8s) == 20,
                Duration.ofMinutes(3), () -> readyDrivers(k8s, null) + " driver pods, " + readyTrainers(k8s)
                    + " trainers ready");
            Set<String> trainersBefore = trainerNames(k8s);

            controller = controller(k8s);
            E2eSupport.await(() -> states(k8s).getOrDefault("upgrade-done", 0L) == NODES + 1, Duration.ofMinutes(1),
                () -> "nodes by upgrade state: " + states(k8s));

            // a new driver version: the DaemonSet's template changes; OnDelete leaves every pod as it is
            k8s.apps().daemonSets().inNamespace(NS).withName("nvidia-driver-daemonset").edit(ds -> {
                ds.getSpec().setTemplate(driverTemplate("580.105.08"));
                return ds;
            });
            AtomicLong maxCordoned = new AtomicLong();
            watch.scheduleAtFixedRate(() -> maxCordoned.accumulateAndGet(cordoned(k8s), Math::max), 0, 1,
                TimeUnit.SECONDS);
            long start = System.nanoTime();
            E2eSupport.await(() -> states(k8s).getOrDefault("upgrade-done", 0L) >= 30, Duration.ofMinutes(5),
                () -> "nodes by upgrade state: " + states(k8s));
            // the operator restarts: all a new controller knows is in the nodes' labels and annotations
            controller.close();
            controller = controller(k8s);
            E2eSupport.await(() -> states(k8s).getOrDefault("upgrade-done", 0L) == NODES + 1
                && readyDrivers(k8s, "580.105.08") == NODES + 1 && cordoned(k8s) == 0, Duration.ofMinutes(10),
                () -> "nodes by upgrade state: " + states(k8s) + ", new driver pods ready: "
                    + readyDrivers(k8s, "580.105.08") + ", cordoned: " + cordoned(k8s));
            double seconds = (System.nanoTime() - start) / 1e9;
            watch.shutdownNow();
            System.out.printf("driver upgrade of %d KWOK nodes and the real node, maxParallelUpgrades %d: %.1f s, "
                + "at most %d cordoned (sampled every second)%n", NODES, PARALLEL, seconds, maxCordoned.get());

            assertThat(maxCordoned.get()).isBetween(1L, (long) PARALLEL);
            // the real node's new driver pod passed gpuop's prestart step, which read that host's /proc and root
            Pod real = k8s.pods().inNamespace(NS).withLabel("app", "nvidia-driver-daemonset").list().getItems()
                .stream().filter(p -> !p.getSpec().getNodeName().startsWith("kwok-")).findFirst().orElseThrow();
            assertThat(real.getStatus().getInitContainerStatuses().getFirst().getState().getTerminated().getExitCode())
                .isZero();
            assertThat(k8s.pods().inNamespace(NS).withName(real.getMetadata().getName())
                .inContainer("gpuop-driver-prestart").getLog()).contains("no NVIDIA kernel module loaded",
                    "the driver container may start");
            E2eSupport.await(() -> readyTrainers(k8s) == 20, Duration.ofMinutes(2),
                () -> readyTrainers(k8s) + " trainers ready");
            // the GPU pods on upgraded nodes were deleted for the upgrade and made again by their Deployment
            assertThat(trainerNames(k8s)).isNotEqualTo(trainersBefore);
        } finally {
            watch.shutdownNow();
            if (controller != null) {
                controller.close();
            }
            k8s.namespaces().withName(NS).delete();
            cluster.kwokNodes(0);
            // the real node serves the other E2E classes: never left cordoned or labelled, even after a failure
            for (Node n : k8s.nodes().withLabel(ON).list().getItems()) {
                Map<String, Object> labels = new HashMap<>();
                labels.put(ON, null);
                labels.put(UpgradeState.LABEL, null);
                Map<String, Object> annotations = new HashMap<>();
                if (n.getMetadata().getAnnotations() != null) {
                    n.getMetadata().getAnnotations().keySet().stream().filter(k -> k.contains("driver-upgrade"))
                        .forEach(k -> annotations.put(k, null));
                }
                Map<String, Object> spec = new HashMap<>();
                spec.put("unschedulable", null);
                patchNode(k8s, n.getMetadata().getName(), Map.of("metadata", Map.of("labels", labels,
                    "annotations", annotations), "spec", spec));
            }
        }
    }

    /** A merge patch: no conflict with the kubelet's and KWOK's own writes to the node. */
    private static void patchNode(KubernetesClient k8s, String name, Map<String, Object> patch) {
        k8s.nodes().withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(patch));
    }

    private static DriverUpgradeController controller(KubernetesClient k8s) {
        DriverUpgradeController c = new DriverUpgradeController(k8s, NS,
            // the nodes as the operator's informer cache holds them, pruned to what the operator reads
            () -> k8s.nodes().withLabel(ON).list().getItems().stream().map(NodeCacheStore::prune).toList(),
            Clock.systemUTC(), Duration.ofSeconds(1),
            Duration.ofSeconds(1));
        DriverSpec driver = new DriverSpec();
        driver.setUpgradePolicy(new DriverUpgradePolicySpec(true, PARALLEL, new IntOrString("25%"), null, null,
            null));
        c.configure(driver, true);
        return c;
    }

    /**
     * The driver pod as gpuop's operand makes it (gpuop's prestart init container, the host root read-only), with a
     * stand-in for NVIDIA's container: it writes its version where a driver container writes its files (a test
     * directory here, not /run/nvidia/driver) and is ready 3 s later.
     */
    private static PodTemplateSpec driverTemplate(String version) {
        return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", "nvidia-driver-daemonset")
            .endMetadata().withNewSpec().withNodeSelector(Map.of(ON, "true")).withHostPID(true)
            .withTerminationGracePeriodSeconds(2L)
            .addNewToleration().withOperator("Exists").endToleration()
            .addNewInitContainer().withName("gpuop-driver-prestart").withImage(IMAGE)
            .withImagePullPolicy("IfNotPresent").withArgs("driver", "prestart", "--host-root", "/host")
            .withNewSecurityContext().withPrivileged(true).endSecurityContext()
            .addNewVolumeMount().withName("host-root").withMountPath("/host").withReadOnly(true)
            .withMountPropagation("HostToContainer").endVolumeMount().endInitContainer()
            .addNewContainer().withName("nvidia-driver-ctr").withImage("docker.io/library/busybox:1.35")
            .addNewEnv().withName("DRIVER_VERSION").withValue(version).endEnv()
            .withCommand("sh", "-c", "trap 'exit 0' TERM; mkdir -p /driver && echo $DRIVER_VERSION > /driver/version"
                + " && sleep 3 && touch /tmp/ready; while true; do sleep 1; done")
            .withNewReadinessProbe().withNewExec().withCommand("cat", "/tmp/ready").endExec()
            .withPeriodSeconds(1).endReadinessProbe()
            .addNewVolumeMount().withName("driver").withMountPath("/driver").endVolumeMount().endContainer()
            .addNewVolume().withName("host-root").withNewHostPath().withPath("/").endHostPath().endVolume()
            .addNewVolume().withName("driver").withNewHostPath().withPath("/run/gpuop-e2e-driver")
            .withType("DirectoryOrCreate").endHostPath().endVolume()
            .endSpec().build();
    }

    /** A GPU pod of a Deployment, on the KWOK nodes only. */
    private static PodTemplateSpec trainerTemplate() {
        return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", "trainer").endMetadata()
            .withNewSpec().withNodeSelector(Map.of("type", "kwok"))
            .addNewToleration().withOperator("Exists").endToleration()
            .addNewContainer().withName("trainer").withImage("docker.io/library/busybox:1.35")
            .withNewResources().addToLimits("nvidia.com/gpu", new Quantity("1")).endResources().endContainer()
            .endSpec().build();
    }

    private static long readyDrivers(KubernetesClient k8s, String version) {
        return k8s.pods().inNamespace(NS).withLabel("app", "nvidia-driver-daemonset").list().getItems().stream()
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null && ready(p))
            .filter(p -> version == null || p.getSpec().getContainers().getFirst().getEnv().getFirst().getValue()
                .equals(version)).count();
    }

    private static long readyTrainers(KubernetesClient k8s) {
        return k8s.pods().inNamespace(NS).withLabel("app", "trainer").list().getItems().stream()
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null && ready(p)).count();
    }

    private static Set<String> trainerNames(KubernetesClient k8s) {
        return k8s.pods().inNamespace(NS).withLabel("app", "trainer").list().getItems().stream()
            .map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
    }

    private static boolean ready(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static long cordoned(KubernetesClient k8s) {
        return driverNodes(k8s).stream().filter(n -> Boolean.TRUE.equals(n.getSpec().getUnschedulable())).count();
    }

    private static Map<String, Long> states(KubernetesClient k8s) {
        return driverNodes(k8s).stream().collect(Collectors.groupingBy(n -> {
            String s = n.getMetadata().getLabels().get(UpgradeState.LABEL);
            return s == null ? "(none)" : s;
        }, Collectors.counting()));
    }

    private static List<Node> driverNodes(KubernetesClient k8s) {
        return k8s.nodes().withLabel(ON).list().getItems();
    }
}
