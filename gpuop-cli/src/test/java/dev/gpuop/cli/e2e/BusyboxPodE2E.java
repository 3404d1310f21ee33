package dev.gpuop.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.testsupport.TestCluster;
import dev.gpuop.testsupport.TestClusterExtension;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The test bed itself: a namespace, a busybox pod run to completion on the real kubelet, its log read back. */
@ExtendWith(TestClusterExtension.class)
class BusyboxPodE2E {

    @Test
    void aPodRunsToCompletionAndItsLogIsRead(KubernetesClient k8s) {
        String ns = "e2e-busybox-" + System.nanoTime() % 100_000;
        k8s.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
            .create();
        try {
            Pod pod = new PodBuilder().withNewMetadata().withName("hello").withNamespace(ns).endMetadata()
                .withNewSpec().withRestartPolicy("Never").addNewContainer().withName("hello")
                .withImage(TestCluster.BUSYBOX).withImagePullPolicy("Never")
                .withCommand("sh", "-c", "echo hello from $(hostname) on $NODE").addNewEnv().withName("NODE")
                .withNewValueFrom().withNewFieldRef().withFieldPath("spec.nodeName").endFieldRef().endValueFrom()
                .endEnv().endContainer().endSpec().build();
            k8s.pods().inNamespace(ns).resource(pod).create();
            Pod done = k8s.pods().inNamespace(ns).withName("hello")
                .waitUntilCondition(p -> p != null && "Succeeded".equals(p.getStatus().getPhase()), 120,
                    TimeUnit.SECONDS);
            assertThat(done.getSpec().getNodeName()).isEqualTo(TestCluster.NODE);
            assertThat(k8s.pods().inNamespace(ns).withName("hello").getLog())
                .isEqualTo("hello from hello on " + TestCluster.NODE + "\n");
        } finally {
            k8s.namespaces().withName(ns).delete();
        }
    }
}
