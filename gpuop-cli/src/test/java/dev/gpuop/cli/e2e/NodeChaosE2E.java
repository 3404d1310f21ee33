package dev.gpuop.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.testsupport.TestCluster;
import dev.gpuop.testsupport.TestClusterExtension;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Faults on the node, on purpose (issue 16): the kubelet restarted and the node agent SIGKILLed while pods ask for
 * GPUs, {@link ChaosReport#RUNS} times each. Afterwards: the plugin registered after every fault, the node's
 * allocatable is back, every pod that held GPUs still runs with the same GPUs, no GPU is held by two pods at once,
 * and no socket a killed agent left behind piles up. Recovery times go to {@code target/e2e-reports/chaos.txt}.
 */
@ExtendWith(TestClusterExtension.class)
class NodeChaosE2E {

    private static final String GPU = "nvidia.com/gpu";
    /** Pods kept holding a GPU across the faults; older ones are deleted as new ones come. */
    private static final int HELD = 4;
    private final Random random = new Random(Long.getLong("gpuop.chaos.seed", 16));
    private String ns;
    private NodeAgentProcess agent;
    /** Each running pod's GPUs, as it printed them when it started. */
    private final Map<String, String> gpusOfPod = new HashMap<>();
    private final Deque<String> pods = new ArrayDeque<>();
    private int podCount;

    @BeforeEach
    void namespace(KubernetesClient k8s) throws Exception {
        E2eSupport.await(() -> gpuopSockets().isEmpty(), Duration.ofSeconds(60),
            () -> "another node agent still serves on this node: " + gpuopSockets());
        ns = "e2e-chaos-" + System.nanoTime() % 100_000;
        k8s.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
            .create();
    }

    @AfterEach
    void cleanUp(KubernetesClient k8s) throws Exception {
        if (agent != null) {
            assertThat(agent.stop()).as("the agent stops on SIGTERM within 20 s; log:\n" + tail()).isTrue();
            assertThat(gpuopSockets()).as("a stopped agent leaves no socket").isEmpty();
        }
        if (ns != null) {
            k8s.namespaces().withName(ns).delete();
        }
    }

    @Test
    void kubeletRestartsWhilePodsAskForGpus(TestCluster cluster, KubernetesClient k8s) throws Exception {
        agent = new NodeAgentProcess(cluster, k8s, null);
        agent.start();
        // the node may still show an earlier agent's GPUs: wait for this one's own registration too
        E2eSupport.await(() -> registrations() >= 1, Duration.ofSeconds(90), () -> "no registration; log:\n" + tail());
        awaitAllocatable(k8s, 8, Duration.ofSeconds(90));
        ChaosReport report = new ChaosReport("kubelet restarted while pods ask for GPUs (restart to allocatable)");
        for (int i = 0; i < ChaosReport.RUNS; i++) {
            newPod(k8s);
            long registered = agent.registrations();
            long t0 = System.nanoTime();
            cluster.restartKubelet();
            E2eSupport.await(() -> registrations() > registered, Duration.ofSeconds(60),
                () -> "no registration after kubelet restart; agent log:\n" + tail());
            awaitAllocatable(k8s, 8, Duration.ofSeconds(60));
            report.run((System.nanoTime() - t0) / 1e6);
            checkPods(k8s, report, true);
        }
        assertThat(agent.registrations()).as("one registration per kubelet start")
            .isEqualTo(ChaosReport.RUNS + 1L);
        finish(k8s, report, true);
    }

    @Test
    void nodeAgentKilledDuringAllocateAndConfigReload(TestCluster cluster, KubernetesClient k8s) throws Exception {
        Path dpConfig = Files.createTempFile("gpuop-chaos-dp", ".yaml");
        int replicas = 1;
        writeTimeSlicing(dpConfig, replicas);
        agent = new NodeAgentProcess(cluster, k8s, dpConfig);
        agent.start();
        awaitAllocatable(k8s, 8, Duration.ofSeconds(90));
        ChaosReport report = new ChaosReport("node agent SIGKILLed during Allocate or a config reload "
            + "(start to registered)");
        for (int i = 0; i < ChaosReport.RUNS; i++) {
            if (i % 2 == 0) {
                newPod(k8s); // the kubelet calls Allocate while the agent dies
                Thread.sleep(random.nextInt(300));
            } else {
                replicas = 3 - replicas; // 1 <-> 2: the agent notices within its 5 s poll
                writeTimeSlicing(dpConfig, replicas);
                Thread.sleep(random.nextInt(6000));
            }
            agent.kill();
            long registered = agent.registrations();
            long t0 = System.nanoTime();
            agent.start();
            E2eSupport.await(() -> registrations() > registered, Duration.ofSeconds(60),
                () -> "the agent did not register again after SIGKILL; log:\n" + tail());
            report.run((System.nanoTime() - t0) / 1e6);
            int expected = 8 * replicas;
            assertThat(agent.lastRegistration()).as("serves what its config says now")
                .contains(NodeAgentProcess.REGISTERED + " " + expected + " ");
            awaitAllocatable(k8s, expected, Duration.ofSeconds(60));
            assertThat(gpuopSockets()).as("sockets of killed agents do not pile up").hasSizeLessThanOrEqualTo(1);
            checkPods(k8s, report, false);
        }
        finish(k8s, report, false);
    }

    private void newPod(KubernetesClient k8s) {
        String name = "hold-" + podCount++;
        Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
            .withNewSpec().withRestartPolicy("Never").withTerminationGracePeriodSeconds(0L).addNewToleration()
            .withKey(GPU).withOperator("Exists").withEffect("NoSchedule").endToleration().addNewContainer()
            .withName("hold").withImage(TestCluster.BUSYBOX).withImagePullPolicy("Never")
            .withCommand("sh", "-c", "echo $NVIDIA_VISIBLE_DEVICES; exec sleep 3600")
            .withNewResources().withLimits(Map.of(GPU, new Quantity("1"))).endResources()
            .endContainer().endSpec().build();
        k8s.pods().inNamespace(ns).resource(pod).create();
        pods.addLast(name);
        while (pods.size() > HELD) {
            String old = pods.removeFirst();
            gpusOfPod.remove(old);
            k8s.pods().inNamespace(ns).withName(old).withGracePeriod(0).delete();
        }
    }

    /**
     * The pods that hold GPUs: one that ran before keeps running with the GPUs it printed; a new one that runs is
     * recorded; with {@code unique}, no GPU is printed by two running pods. A pod the kubelet refused at admission
     * (its plugin was away) is counted, not failed: that is the kubelet's rule, and the pod never held a GPU.
     */
    private void checkPods(KubernetesClient k8s, ChaosReport report, boolean unique) throws Exception {
        Map<String, String> holder = new HashMap<>();
        for (String name : List.copyOf(pods)) {
            Pod p = awaitStarted(k8s, name);
            String phase = p.getStatus().getPhase();
            if (!"Running".equals(phase)) {
                if (gpusOfPod.containsKey(name)) {
                    report.failure(name + " held " + gpusOfPod.get(name) + " and is now " + phase);
                } else {
                    report.note(name + " " + phase + " (" + p.getStatus().getReason() + ")");
                    pods.remove(name);
                }
                continue;
            }
            String gpus = log(k8s, name).strip();
            String before = gpusOfPod.putIfAbsent(name, gpus);
            if (before != null && !before.equals(gpus)) {
                report.failure(name + " printed " + before + " and now " + gpus);
            }
            for (String gpu : gpus.split(",")) {
                String other = holder.put(gpu, name);
                if (unique && other != null) {
                    report.failure(gpu + " given to both " + other + " and " + name);
                }
            }
        }
    }

    private Pod awaitStarted(KubernetesClient k8s, String name) throws InterruptedException {
        Pod[] p = new Pod[1];
        E2eSupport.await(() -> {
            p[0] = k8s.pods().inNamespace(ns).withName(name).get();
            String phase = p[0] == null ? null : p[0].getStatus().getPhase();
            return phase != null && !"Pending".equals(phase) && (!"Running".equals(phase) || !log(k8s, name).isBlank());
        }, Duration.ofSeconds(120), () -> "pod " + name + " did not start: " + (p[0] == null ? "gone"
            : p[0].getStatus()));
        return p[0];
    }

    /** The pod's log, or "" while its container is not there yet (the API server answers 404 or 400 then). */
    private String log(KubernetesClient k8s, String pod) {
        try {
            return k8s.pods().inNamespace(ns).withName(pod).getLog();
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            return "";
        }
    }

    private void finish(KubernetesClient k8s, ChaosReport report, boolean unique) throws Exception {
        checkPods(k8s, report, unique);
        report.write();
        assertThat(report.failures()).as(report.line()).isEmpty();
    }

    private static void writeTimeSlicing(Path file, int replicas) throws Exception {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        // one per GPU is no sharing section at all: NVIDIA's format wants replicas of 2 or more
        Files.writeString(tmp, replicas == 1 ? "version: v1\n" : "version: v1\nsharing:\n  timeSlicing:\n"
            + "    resources:\n    - name: nvidia.com/gpu\n      replicas: " + replicas + "\n");
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private long registrations() {
        try {
            return agent.registrations();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String tail() {
        try {
            return agent.tail(40);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static List<String> gpuopSockets() {
        try (Stream<Path> files = Files.list(TestCluster.DEVICE_PLUGINS)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("gpuop-")).toList();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    private static int allocatable(KubernetesClient k8s) {
        Quantity q = k8s.nodes().withName(TestCluster.NODE).get().getStatus().getAllocatable().get(GPU);
        return q == null ? -1 : Integer.parseInt(q.getAmount());
    }

    private void awaitAllocatable(KubernetesClient k8s, int wanted, Duration timeout) throws InterruptedException {
        E2eSupport.await(() -> allocatable(k8s) == wanted, timeout,
            () -> "allocatable " + GPU + " is " + allocatable(k8s) + ", wanted " + wanted + "; agent log:\n" + tail());
    }
}
