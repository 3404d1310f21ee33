package dev.gpuop.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import dev.gpuop.testsupport.TestCluster;
import dev.gpuop.testsupport.TestClusterExtension;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The seed's flow on the real cluster without a GPU, through the pod boundaries a GPU node has: the toolkit step runs
 * as the node agent's init container against testenv's containerd (its config edited through the host paths the pod
 * mounts, containerd restarted by its pid from a pod of its own network), the agent writes the CDI spec of 8
 * simulated GPUs from the host's root as its pod sees it (test device nodes, never real ones; a fake driver's
 * libraries), and a pod with {@code runtimeClassName: nvidia} and {@code nvidia.com/gpu: 1} runs on handler
 * {@code nvidia} and sees exactly its GPU's device node and the spec's mounts. Then the policy turns the toolkit off
 * and containerd's config is back byte for byte; on again, and {@code helm uninstall} (its pre-delete hook) puts it
 * back too.
 */
@ExtendWith(TestClusterExtension.class)
class ToolkitOnTheNodeE2E {

    private static final String NS = "gpu-operator";
    private static final String RELEASE = "gpuop";
    private static final String VERSION = "550.90.07"; // the h100-sxm-8x fixture's driver
    private static final Path FAKE = Path.of("/tmp/gpuop-e2e-fake-node");
    private static final Path SPEC = Path.of("/var/run/cdi/nvidia.com-gpu.json");
    private static Path config;
    private static Path dropIn;
    private static byte[] configBefore;
    private static Path kubeconfig;

    @BeforeAll
    static void install(TestCluster cluster, KubernetesClient k8s) throws Exception {
        E2eSupport.readyForInstall(cluster, k8s, NS);
        Path containerd = cluster.kubeconfig().getParent().resolve("containerd");
        config = containerd.resolve("config.toml");
        dropIn = containerd.resolve("conf.d/99-nvidia.toml");
        configBefore = Files.readAllBytes(config);
        fakeNode();
        kubeconfig = cluster.kubeconfig();
        Release r = new Helm(cluster.repo().resolve("deploy/helm/gpuop")).install().withName(RELEASE)
            .withNamespace(NS).createNamespace().withKubeConfig(kubeconfig).waitReady().withTimeout(300)
            .set("operator.defaultRuntime", "containerd").set("driver.enabled", "false")
            .set("toolkit.enabled", "true").set("cdi.enabled", "true")
            // testenv keeps containerd's config and socket under its state dir: NVIDIA's names for them
            .set("toolkit.env[0].name", "CONTAINERD_CONFIG").set("toolkit.env[0].value", config.toString())
            .set("toolkit.env[1].name", "CONTAINERD_SOCKET")
            .set("toolkit.env[1].value", containerd.resolve("containerd.sock").toString())
            .set("operator.image.tag", "dev").set("operator.image.pullPolicy", "Never")
            .set("nodeAgent.imagePullPolicy", "Never")
            .set("nodeAgent.env[0].name", "GPUOP_SIMULATE").set("nodeAgent.env[0].value", "h100-sxm-8x")
            .set("nodeAgent.env[1].name", "NVIDIA_DRIVER_ROOT")
            .set("nodeAgent.env[1].value", FAKE.resolve("driver").toString())
            .set("nodeAgent.env[2].name", "NVIDIA_DEV_ROOT")
            .set("nodeAgent.env[2].value", FAKE.resolve("dev-root").toString())
            .set("migManager.enabled", "false")
            .call();
        assertThat(r.getStatus()).isEqualTo("deployed");
    }

    /** Device nodes with /dev/null's numbers (CDI copies type, major and minor) and a driver of fake libraries. */
    private static void fakeNode() throws Exception {
        Path dev = Files.createDirectories(FAKE.resolve("dev-root/dev"));
        for (String node : List.of("nvidia0", "nvidia1", "nvidia2", "nvidia3", "nvidia4", "nvidia5", "nvidia6",
            "nvidia7", "nvidiactl", "nvidia-uvm")) {
            if (!Files.exists(dev.resolve(node))) {
                assertThat(new ProcessBuilder("mknod", dev.resolve(node).toString(), "c", "1", "3").inheritIO()
                    .start().waitFor()).isZero();
            }
        }
        Path lib = Files.createDirectories(FAKE.resolve("driver/usr/lib/x86_64-linux-gnu"));
        for (String name : List.of("libcuda", "libnvidia-ml")) {
            Files.writeString(lib.resolve(name + ".so." + VERSION), "fake " + name + " " + VERSION + "\n");
            Files.deleteIfExists(lib.resolve(name + ".so.1"));
            Files.createSymbolicLink(lib.resolve(name + ".so.1"), Path.of(name + ".so." + VERSION));
        }
        Path smi = Files.createDirectories(FAKE.resolve("driver/usr/bin")).resolve("nvidia-smi");
        Files.writeString(smi, "#!/bin/sh\necho fake nvidia-smi\n");
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterAll
    static void uninstall(KubernetesClient k8s) throws Exception {
        k8s.pods().inNamespace("default").withName("gpu-pod").delete();
        Helm.uninstall(RELEASE).withNamespace(NS).withKubeConfig(kubeconfig).ignoreNotFound().call();
        await(() -> k8s.pods().inNamespace(NS).list().getItems().isEmpty(), Duration.ofSeconds(120),
            () -> "pods left in " + NS);
        k8s.namespaces().withName(NS).delete();
        E2eSupport.forgetGpus(k8s);
        // a failed run must not leave the cluster's containerd with our handler for the next test class
        if (configBefore != null && !Arrays.equals(Files.readAllBytes(config), configBefore)) {
            Files.write(config, configBefore);
        }
        Files.deleteIfExists(dropIn);
        Files.deleteIfExists(SPEC);
        new ProcessBuilder("rm", "-rf", FAKE.toString(), "/var/lib/gpuop").inheritIO().start().waitFor();
    }

    private static void await(Supplier<Boolean> done, Duration timeout, Supplier<String> why) throws Exception {
        E2eSupport.await(done, timeout, why);
    }

    private static String agentLogs(KubernetesClient k8s) {
        return E2eSupport.podLogs(k8s, NS);
    }

    /** As an admin would: a merge patch (the operator writes the status all the while, so no resourceVersion). */
    private static void toolkit(KubernetesClient k8s, boolean enabled) {
        k8s.resources(dev.gpuop.api.v1alpha1.ClusterPolicy.class).withName("cluster-policy").patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"spec\":{\"toolkit\":{\"enabled\":" + enabled + "}}}");
    }

    @Test
    void aPodOnHandlerNvidiaSeesItsDeviceAndTheSpecsMountsAndTurningTheToolkitOffRestoresContainerd(
        KubernetesClient k8s) throws Exception {
        Supplier<String> allocatable = () -> {
            Quantity q = k8s.nodes().withName(TestCluster.NODE).get().getStatus().getAllocatable()
                .get("nvidia.com/gpu");
            return q == null ? null : q.getAmount();
        };
        await(() -> "8".equals(allocatable.get()), Duration.ofSeconds(240), () -> agentLogs(k8s));
        // what the toolkit step changed on the node, through the paths its pod mounts
        assertThat(Files.readString(dropIn)).contains("runtimes.nvidia]").contains("runtimes.nvidia-cdi]");
        assertThat(Files.readString(config)).contains(dropIn.getParent() + "/*.toml");
        String spec = Files.readString(SPEC);
        assertThat(spec).as("host paths, not the pod's /host")
            .contains("\"" + FAKE.resolve("driver/usr/lib/x86_64-linux-gnu/libcuda.so." + VERSION) + "\"")
            .contains("\"" + FAKE.resolve("dev-root/dev/nvidia0") + "\"").doesNotContain("\"/host/");

        k8s.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("gpu-pod")
            .endMetadata().withNewSpec().withRestartPolicy("Never").withRuntimeClassName("nvidia")
            .addNewContainer().withName("cuda-container").withImage(TestCluster.BUSYBOX)
            .withImagePullPolicy("Never")
            .withCommand("sh", "-c", "ls /dev; echo ---; cat /usr/local/nvidia/lib64/libcuda.so.1; "
                + "echo NVIDIA_VISIBLE_DEVICES=$NVIDIA_VISIBLE_DEVICES")
            .withNewResources().addToLimits("nvidia.com/gpu", new Quantity("1")).endResources().endContainer()
            .addNewToleration().withKey("nvidia.com/gpu").withOperator("Exists").withEffect("NoSchedule")
            .endToleration().endSpec().build()).create();
        await(() -> {
            String phase = k8s.pods().inNamespace("default").withName("gpu-pod").get().getStatus().getPhase();
            return "Succeeded".equals(phase) || "Failed".equals(phase);
        }, Duration.ofSeconds(120), () -> String.valueOf(k8s.pods().inNamespace("default").withName("gpu-pod").get()
            .getStatus()));
        String log = k8s.pods().inNamespace("default").withName("gpu-pod").getLog();
        List<String> dev = log.substring(0, log.indexOf("---")).lines().toList();
        assertThat(dev).as(log).filteredOn(n -> n.matches("nvidia\\d+")).hasSize(1);
        assertThat(dev).contains("nvidiactl", "nvidia-uvm");
        assertThat(log).contains("fake libcuda " + VERSION).contains("NVIDIA_VISIBLE_DEVICES=void");
        // the node checks agree: the running containerd loaded the handler and reads the spec naming every GPU
        Supplier<String> verdict = () -> String.valueOf(k8s.nodes().withName(TestCluster.NODE).get().getMetadata()
            .getAnnotations().get("gpuop.dev/validation"));
        await(() -> "passed".equals(verdict.get()), Duration.ofSeconds(90), () -> verdict.get() + "\n"
            + agentLogs(k8s));
        assertThat(Path.of("/run/nvidia/validations/toolkit-ready")).exists();

        toolkit(k8s, false);
        await(() -> {
            try {
                return Arrays.equals(Files.readAllBytes(config), configBefore) && !Files.exists(dropIn)
                    && !Files.exists(SPEC);
            } catch (java.io.IOException e) {
                return false;
            }
        }, Duration.ofSeconds(180), () -> "containerd's config is not back as it was:\n" + read(config)
            + "\ndrop-in there: " + Files.exists(dropIn) + ", spec there: " + Files.exists(SPEC) + "\n"
            + agentLogs(k8s));

        // on again, then `helm uninstall`: its pre-delete hook turns the toolkit off and waits for the node agents
        toolkit(k8s, true);
        await(() -> Files.exists(dropIn) && Files.exists(SPEC), Duration.ofSeconds(180), () -> agentLogs(k8s));
        Helm.uninstall(RELEASE).withNamespace(NS).withKubeConfig(kubeconfig).call();
        assertThat(Files.readAllBytes(config)).as("containerd's config after helm uninstall").isEqualTo(configBefore);
        assertThat(dropIn).doesNotExist();
        assertThat(SPEC).doesNotExist();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "(" + e.getMessage() + ")";
        }
    }
}
