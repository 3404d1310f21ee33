package dev.gpuop.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import dev.gpuop.testsupport.TestCluster;
import dev.gpuop.testsupport.TestClusterExtension;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The node agent's device plugin with the real kubelet: {@code bin/gpuop node-agent} runs on the test bed's node
 * with 8 simulated H100s; the node's allocatable shows them, a pod asking for 2 gets 2 distinct UUIDs in its
 * environment, and after a kubelet restart the plugin registers again and the allocatable comes back.
 */
@ExtendWith(TestClusterExtension.class)
class DevicePluginE2E {

    private static final String GPU = "nvidia.com/gpu";
    private static NodeAgentProcess agent;
    private static Path log;

    @BeforeAll
    static void startTheNodeAgent(TestCluster cluster, KubernetesClient k8s) throws Exception {
        agent = new NodeAgentProcess(cluster, k8s, null);
        log = agent.log();
        agent.start();
    }

    @AfterAll
    static void stopTheNodeAgent() throws Exception {
        assertThat(agent.stop()).as("node agent stops on SIGTERM").isTrue();
        try (java.util.stream.Stream<Path> files = Files.list(TestCluster.DEVICE_PLUGINS)) {
            assertThat(files.map(f -> f.getFileName().toString())).as("sockets removed")
                .noneMatch(n -> n.startsWith("gpuop-"));
        }
        System.out.println("node agent log:\n" + Files.readString(log));
    }

    private static int allocatable(KubernetesClient k8s) {
        Node n = k8s.nodes().withName(TestCluster.NODE).get();
        Quantity q = n.getStatus().getAllocatable().get(GPU);
        return q == null ? -1 : Integer.parseInt(q.getAmount());
    }

    private static void awaitAllocatable(KubernetesClient k8s, Predicate<Integer> wanted, Duration timeout)
        throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (!wanted.test(allocatable(k8s))) {
            if (System.nanoTime() > end) {
                throw new AssertionError("allocatable " + GPU + " is " + allocatable(k8s) + "; agent log:\n"
                    + Files.readString(log));
            }
            Thread.sleep(250);
        }
    }

    @Test
    void theAgentReportsItsStateAndThePreinstalledDriverOnTheNode(KubernetesClient k8s) throws Exception {
        awaitAllocatable(k8s, n -> n == 8, Duration.ofSeconds(90));
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Map<String, String> a = Map.of();
        while (System.nanoTime() < end) {
            a = k8s.nodes().withName(TestCluster.NODE).get().getMetadata().getAnnotations();
            if ("ready".equals(a.get("gpuop.dev/node-agent-state"))) {
                break;
            }
            Thread.sleep(250);
        }
        assertThat(a).containsEntry("gpuop.dev/node-agent-state", "ready")
            .containsEntry("gpuop.dev/driver-preinstalled", "true").containsEntry("gpuop.dev/gpu-count", "8")
            .containsEntry("gpuop.dev/node-agent-reason", "");
        assertThat(k8s.nodes().withName(TestCluster.NODE).get().getMetadata().getLabels())
            .containsEntry("nvidia.com/gpu.present", "true");
    }

    @Test
    void twoGpusReachThePodAndAKubeletRestartBringsThemBack(KubernetesClient k8s, TestCluster cluster)
        throws Exception {
        awaitAllocatable(k8s, n -> n == 8, Duration.ofSeconds(90));
        List<String> fixtureUuids;
        try (GpuHost sim = SimulatedGpuHost.open("h100-sxm-8x")) {
            fixtureUuids = sim.gpus().stream().map(g -> g.info().uuid()).toList();
        }
        String ns = "e2e-gpu-" + System.nanoTime() % 100_000;
        k8s.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
            .create();
        try {
            Pod pod = new PodBuilder().withNewMetadata().withName("two-gpus").withNamespace(ns).endMetadata()
                .withNewSpec().withRestartPolicy("Never").addNewToleration().withKey(GPU).withOperator("Exists")
                .withEffect("NoSchedule").endToleration().addNewContainer().withName("cuda")
                .withImage(TestCluster.BUSYBOX).withImagePullPolicy("Never")
                .withCommand("sh", "-c", "echo $NVIDIA_VISIBLE_DEVICES")
                .withNewResources().withLimits(Map.of(GPU, new Quantity("2"))).endResources()
                .endContainer().endSpec().build();
            k8s.pods().inNamespace(ns).resource(pod).create();
            k8s.pods().inNamespace(ns).withName("two-gpus").waitUntilCondition(
                p -> p != null && "Succeeded".equals(p.getStatus().getPhase()), 120, TimeUnit.SECONDS);
            String[] visible = k8s.pods().inNamespace(ns).withName("two-gpus").getLog().strip().split(",");
            assertThat(visible).hasSize(2).doesNotHaveDuplicates();
            assertThat(fixtureUuids).contains(visible);
        } finally {
            k8s.namespaces().withName(ns).delete();
        }

        cluster.restartKubelet();
        // the node's status may still show the old count: wait for the plugin to have registered again first
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        // the restart's own line comes after its registration (logged once the kubelet has been answered)
        while ((registrations() < 2 || !Files.readString(log).contains("kubelet.sock (re)created"))
            && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        assertThat(Files.readString(log)).contains("kubelet.sock (re)created");
        assertThat(registrations()).isEqualTo(2);
        awaitAllocatable(k8s, n -> n == 8, Duration.ofSeconds(90));
    }

    private static long registrations() throws Exception {
        return Files.readAllLines(log).stream().filter(l -> l.contains("registered nvidia.com/gpu with 8")).count();
    }
}
