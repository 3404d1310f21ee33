package dev.gpuop.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gpuop.testsupport.TestCluster;
import dev.gpuop.testsupport.TestClusterExtension;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * NVIDIA's MIG manager flow, done by the node agent on the real kubelet and API server of testenv, with a simulated
 * A100 40GB whose driver takes time as a real one does: labelling the node {@code nvidia.com/mig.config=<layout>}
 * changes the GPU's instances, the kubelet's allocatable follows with the new MIG resources, and
 * {@code nvidia.com/mig.config.state} says {@code success}; a layout the GPU cannot take is {@code failed}, names
 * the profile, and changes nothing. Prints the time from the label to the allocatable of each change.
 */
@ExtendWith(TestClusterExtension.class)
class MigManagerE2E {

    private static final String CONFIG_LABEL = "nvidia.com/mig.config";
    private static final String STATE_LABEL = "nvidia.com/mig.config.state";
    /**
     * The simulated driver's latencies: NVIDIA documents none per call, so these are set on the slow side of what a
     * MIG change is known to take (a GPU reset of seconds, a fraction of a second per instance).
     */
    private static final String MIG_DRIVER = "{\"setModeMillis\": 2000, \"createMillis\": 300, "
        + "\"destroyMillis\": 150}";
    private static final String MIG_CONFIG = """
        version: v1
        mig-configs:
          all-disabled:
            - devices: all
              mig-enabled: false
          all-1g.5gb:
            - devices: all
              mig-enabled: true
              mig-devices:
                "1g.5gb": 7
          all-balanced:
            - device-filter: "0x20B010DE"
              devices: all
              mig-enabled: true
              mig-devices:
                "1g.5gb": 2
                "2g.10gb": 1
                "3g.20gb": 1
          all-3g.71gb:
            - devices: all
              mig-enabled: true
              mig-devices:
                "3g.71gb": 2
        """;
    private static NodeAgentProcess agent;
    private static Path log;

    @BeforeAll
    static void startTheNodeAgent(TestCluster cluster, KubernetesClient k8s) throws Exception {
        Path dir = Files.createTempDirectory("gpuop-e2e-mig");
        ObjectMapper json = new ObjectMapper();
        ObjectNode fixture;
        try (InputStream in = MigManagerE2E.class.getResourceAsStream("/dev/gpuop/gpu/fixtures/a100-mig-mixed.json")) {
            fixture = (ObjectNode) json.readTree(in);
        }
        fixture.set("migDriver", json.readTree(MIG_DRIVER));
        Path gpus = dir.resolve("a100-timed.json");
        json.writeValue(gpus.toFile(), fixture);
        Path migConfig = Files.writeString(dir.resolve("mig-parted.yaml"), MIG_CONFIG);
        agent = new NodeAgentProcess(cluster, k8s, """
            devicePlugin:
              kubeletDir: %s
              config:
                version: v1
                flags:
                  migStrategy: mixed
            server:
              port: 0
            migManager:
              enabled: true
              configFile: %s
            """.formatted(TestCluster.DEVICE_PLUGINS, migConfig), gpus.toString());
        log = agent.log();
        agent.start();
    }

    @AfterAll
    static void stopTheNodeAgent(KubernetesClient k8s) throws Exception {
        E2eSupport.labelNode(k8s, CONFIG_LABEL, null);
        E2eSupport.labelNode(k8s, STATE_LABEL, null);
        assertThat(agent.stop()).as("node agent stops on SIGTERM").isTrue();
        System.out.println("node agent log:\n" + Files.readString(log));
    }

    @Test
    void aLabelledLayoutReachesTheKubeletAndABadOneChangesNothing(KubernetesClient k8s) throws Exception {
        // the fixture's layout at start: 3g.20gb, 2g.10gb and two 1g.5gb
        await(k8s, Map.of("nvidia.com/mig-3g.20gb", 1, "nvidia.com/mig-1g.5gb", 2), null);
        List<String> timings = new ArrayList<>();
        timings.add("all-1g.5gb " + change(k8s, "all-1g.5gb", Map.of("nvidia.com/mig-1g.5gb", 7,
            "nvidia.com/mig-3g.20gb", 0)));
        timings.add("all-balanced " + change(k8s, "all-balanced", Map.of("nvidia.com/mig-1g.5gb", 2,
            "nvidia.com/mig-2g.10gb", 1, "nvidia.com/mig-3g.20gb", 1)));

        label(k8s, "all-3g.71gb");
        awaitState(k8s, "failed");
        String reason = k8s.nodes().withName(TestCluster.NODE).get().getMetadata().getAnnotations()
            .get("gpuop.dev/mig.config.reason");
        assertThat(reason).contains("all-3g.71gb", "3g.71gb", "offers no MIG profile");
        await(k8s, Map.of("nvidia.com/mig-1g.5gb", 2, "nvidia.com/mig-2g.10gb", 1, "nvidia.com/mig-3g.20gb", 1),
            null);

        timings.add("all-disabled " + change(k8s, "all-disabled", Map.of("nvidia.com/gpu", 1,
            "nvidia.com/mig-1g.5gb", 0)));
        timings.add("all-1g.5gb " + change(k8s, "all-1g.5gb", Map.of("nvidia.com/mig-1g.5gb", 7,
            "nvidia.com/gpu", 0)));
        System.out.println("MIG change, label -> applied and -> allocatable (simulated A100, driver latencies "
            + MIG_DRIVER + "): " + timings);
    }

    /**
     * Labels the node and waits for the allocatable and the state; returns the seconds from the label to the agent's
     * "applied" log line (its new devices registered with the kubelet) and to the allocatable.
     */
    private static String change(KubernetesClient k8s, String layout, Map<String, Integer> wanted) throws Exception {
        java.time.Instant labelled = java.time.Instant.now();
        long t0 = System.nanoTime();
        label(k8s, layout);
        await(k8s, wanted, null);
        double seconds = (System.nanoTime() - t0) / 1e9;
        awaitState(k8s, "success");
        String applied = Files.readAllLines(log).stream()
            .filter(l -> l.contains("MIG layout " + layout + " applied")).reduce((a, b) -> b).orElseThrow();
        double agent = java.time.Duration.between(labelled, java.time.Instant.parse(applied.substring(0,
            applied.indexOf(' ')))).toMillis() / 1e3;
        return String.format("applied %.2f s, allocatable %.2f s", agent, seconds);
    }

    /** A merge patch, not a read-modify-write: the agent writes the node's state label while it applies a layout. */
    private static void label(KubernetesClient k8s, String layout) {
        E2eSupport.labelNode(k8s, CONFIG_LABEL, layout);
    }

    private static void awaitState(KubernetesClient k8s, String state) throws Exception {
        await(k8s, Map.of(), state);
    }

    private static void await(KubernetesClient k8s, Map<String, Integer> wanted, String state) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            Node n = k8s.nodes().withName(TestCluster.NODE).get();
            Map<String, Quantity> alloc = n.getStatus().getAllocatable();
            boolean ok = wanted.entrySet().stream().allMatch(e -> {
                Quantity q = alloc.get(e.getKey());
                int have = q == null ? 0 : Integer.parseInt(q.getAmount());
                return have == e.getValue();
            }) && (state == null || state.equals(n.getMetadata().getLabels().get(STATE_LABEL)));
            if (ok) {
                return;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("waited for " + wanted + (state == null ? "" : " and state " + state)
                    + "; allocatable " + alloc + ", state " + n.getMetadata().getLabels().get(STATE_LABEL)
                    + "; agent log:\n" + Files.readString(log));
            }
            Thread.sleep(100);
        }
    }
}
