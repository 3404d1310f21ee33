package dev.gpuop.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.testsupport.TestCluster;
import dev.gpuop.testsupport.TestClusterExtension;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * gpuop's own image (scripts/build-image.sh: busybox, a jlink'd Java 25, the jars, no container engine), imported
 * into the test cluster's containerd and run as a pod by the real kubelet. The pod asks for the image's AOT cache
 * with {@code GPUOP_AOT=require}: the JVM then refuses to start unless the cache made at build time matches the
 * jars as the node's snapshot holds them (paths, sizes, modification times, class path order).
 */
@ExtendWith(TestClusterExtension.class)
class GpuopImageE2E {

    @Test
    void theImageRunsTheGpuopCommandInAPod(TestCluster cluster, KubernetesClient k8s) {
        Path archive = cluster.repo().resolve("dist/gpuop-image.tar");
        assertThat(Files.exists(archive)).as("built by scripts/build-image.sh").isTrue();
        String image = cluster.importImage(archive, "docker.io/gpuop/gpuop:dev");
        assertThat(image).isEqualTo("docker.io/gpuop/gpuop:dev");
        String ns = "e2e-image-" + System.nanoTime() % 100_000;
        k8s.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
            .create();
        try {
            Pod pod = new PodBuilder().withNewMetadata().withName("gpuop").withNamespace(ns).endMetadata()
                .withNewSpec().withRestartPolicy("Never").addNewContainer().withName("gpuop").withImage(image)
                .withImagePullPolicy("Never").withArgs("gpus", "--simulate", "h200")
                .addNewEnv().withName("GPUOP_AOT").withValue("require").endEnv().endContainer().endSpec()
                .build();
            k8s.pods().inNamespace(ns).resource(pod).create();
            k8s.pods().inNamespace(ns).withName("gpuop").waitUntilCondition(
                p -> p != null && "Succeeded".equals(p.getStatus().getPhase()), 120, TimeUnit.SECONDS);
            assertThat(k8s.pods().inNamespace(ns).withName("gpuop").getLog())
                .contains("Driver 580.159.04, CUDA 13.0, 1 GPU", "NVIDIA H200", "143771 MiB", "hopper");
        } finally {
            k8s.namespaces().withName(ns).delete();
        }
    }
}
