package dev.gpuop.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.api.v1alpha1.DriverSpec;
import dev.gpuop.api.v1alpha1.DriverUpgradePolicySpec;
import dev.gpuop.operator.controller.DriverUpgradeController;
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
import java.time.Clock;
import java.time.Duration;
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
 * GPU nodes: an OnDelete driver DaemonSet whose template changes, GPU pods of a Deployment on the nodes, NVIDIA's
 * limit {@code maxParallelUpgrades: 10} checked every second, and an operator restart half way (a new controller
 * that knows only the nodes' labels). KWOK makes each new driver pod ready at once, so what is timed is the
 * controller's and the cluster's own work.
 */
@ExtendWith(TestClusterExtension.class)
class DriverUpgradeE2E {

    static final String NS = "gpuop-upgrade-e2e";
    static final int NODES = 100;
    static final int PARALLEL = 10;

    @Test
    void aHundredNodesGetTheNewDriverNeverMoreThanTenCordonedAndSurviveAnOperatorRestart(TestCluster cluster,
        KubernetesClient k8s) throws Exception {
        // a run before this one may still be deleting its namespace (its DaemonSet would clash with ours)
        E2eSupport.await(() -> k8s.namespaces().withName(NS).get() == null, Duration.ofMinutes(2),
            () -> "namespace " + NS + " still terminating");
        cluster.kwokNodes(NODES);
        ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor();
        DriverUpgradeController controller = null;
        try {
            k8s.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                .serverSideApply();
            k8s.apps().daemonSets().inNamespace(NS).resource(new DaemonSetBuilder().withNewMetadata()
                .withName("nvidia-driver-daemonset").endMetadata().withNewSpec()
                .withNewSelector().addToMatchLabels("app", "nvidia-driver-daemonset").endSelector()
                .withNewUpdateStrategy().withType("OnDelete").endUpdateStrategy()
                .withTemplate(template("app", "nvidia-driver-daemonset", "580.95.05", false)).endSpec().build())
                .serverSideApply();
            k8s.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder().withNewMetadata()
                .withName("trainer").endMetadata().withNewSpec().withReplicas(20)
                .withNewSelector().addToMatchLabels("app", "trainer").endSelector()
                .withTemplate(template("app", "trainer", "1", true)).endSpec().build()).serverSideApply();
            E2eSupport.await(() -> readyDrivers(k8s, null) == NODES && readyTrainers(k8s) == 20,
                Duration.ofMinutes(3), () -> readyDrivers(k8s, null) + " driver pods, " + readyTrainers(k8s)
                    + " trainers ready");
            Set<String> trainersBefore = trainerNames(k8s);

            controller = controller(k8s);
            E2eSupport.await(() -> states(k8s).getOrDefault("upgrade-done", 0L) == NODES, Duration.ofMinutes(1),
                () -> "nodes by upgrade state: " + states(k8s));

            // a new driver version: the DaemonSet's template changes; OnDelete leaves every pod as it is
            k8s.apps().daemonSets().inNamespace(NS).withName("nvidia-driver-daemonset").edit(ds -> {
                ds.getSpec().setTemplate(template("app", "nvidia-driver-daemonset", "580.105.08", false));
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
            E2eSupport.await(() -> states(k8s).getOrDefault("upgrade-done", 0L) == NODES
                && readyDrivers(k8s, "580.105.08") == NODES && cordoned(k8s) == 0, Duration.ofMinutes(10),
                () -> "nodes by upgrade state: " + states(k8s) + ", new driver pods ready: "
                    + readyDrivers(k8s, "580.105.08") + ", cordoned: " + cordoned(k8s));
            double seconds = (System.nanoTime() - start) / 1e9;
            watch.shutdownNow();
            System.out.printf("driver upgrade of %d KWOK nodes, maxParallelUpgrades %d: %.1f s, at most %d cordoned"
                + " (sampled every second)%n", NODES, PARALLEL, seconds, maxCordoned.get());

            assertThat(maxCordoned.get()).isBetween(1L, (long) PARALLEL);
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
        }
    }

    private static DriverUpgradeController controller(KubernetesClient k8s) {
        DriverUpgradeController c = new DriverUpgradeController(k8s, NS,
            () -> k8s.nodes().withLabel("type", "kwok").list().getItems(), Clock.systemUTC(), Duration.ofSeconds(1),
            Duration.ofSeconds(1));
        DriverSpec driver = new DriverSpec();
        driver.setUpgradePolicy(new DriverUpgradePolicySpec(true, PARALLEL, new IntOrString("25%"), null, null,
            null));
        c.configure(driver, true);
        return c;
    }

    private static PodTemplateSpec template(String key, String app, String version, boolean gpu) {
        PodTemplateSpecBuilder b = new PodTemplateSpecBuilder();
        var spec = b.withNewMetadata().addToLabels(key, app).endMetadata().withNewSpec()
            .withNodeSelector(Map.of("type", "kwok"))
            .addNewToleration().withOperator("Exists").endToleration();
        var c = spec.addNewContainer().withName(app).withImage("docker.io/library/busybox:1.35")
            .addNewEnv().withName("DRIVER_VERSION").withValue(version).endEnv();
        if (gpu) {
            c.withNewResources().addToLimits("nvidia.com/gpu", new Quantity("1")).endResources();
        }
        return c.endContainer().endSpec().build();
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
        return kwokNodes(k8s).stream().filter(n -> Boolean.TRUE.equals(n.getSpec().getUnschedulable())).count();
    }

    private static Map<String, Long> states(KubernetesClient k8s) {
        return kwokNodes(k8s).stream().collect(Collectors.groupingBy(n -> {
            String s = n.getMetadata().getLabels().get(UpgradeState.LABEL);
            return s == null ? "(none)" : s;
        }, Collectors.counting()));
    }

    private static List<Node> kwokNodes(KubernetesClient k8s) {
        return k8s.nodes().withLabel("type", "kwok").list().getItems();
    }
}
