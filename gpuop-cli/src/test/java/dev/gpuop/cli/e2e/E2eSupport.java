package dev.gpuop.cli.e2e;

import dev.gpuop.testsupport.TestCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.function.Supplier;

/** What the chart's E2E classes share: waiting with a reason, the operand pods' logs, a node with no GPU labels. */
final class E2eSupport {

    private E2eSupport() {
    }

    /**
     * Before a chart install: the release namespace gone (one left terminating by an earlier run refuses new
     * objects) and gpuop's image in the node's containerd as {@code docker.io/gpuop/gpuop:dev}.
     */
    static void readyForInstall(TestCluster cluster, KubernetesClient k8s, String namespace)
        throws InterruptedException {
        await(() -> k8s.namespaces().withName(namespace).get() == null, Duration.ofSeconds(120),
            () -> "namespace " + namespace + " still terminating");
        cluster.importImage(cluster.repo().resolve("dist/gpuop-image.tar"), "docker.io/gpuop/gpuop:dev");
    }

    /** Polls twice a second; fails with {@code why} after the timeout. */
    static void await(Supplier<Boolean> done, Duration timeout, Supplier<String> why) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!done.get()) {
            if (System.nanoTime() > end) {
                throw new AssertionError(why.get());
            }
            Thread.sleep(500);
        }
    }

    /** Each pod of the namespace with its phase and the last lines of its log. */
    static String podLogs(KubernetesClient k8s, String namespace) {
        StringBuilder sb = new StringBuilder();
        for (Pod pod : k8s.pods().inNamespace(namespace).list().getItems()) {
            sb.append("pod ").append(pod.getMetadata().getName()).append(' ').append(pod.getStatus().getPhase())
                .append('\n');
            try {
                sb.append(k8s.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).tailingLines(40)
                    .getLog()).append('\n');
            } catch (RuntimeException e) {
                sb.append("(no log: ").append(e.getMessage()).append(")\n");
            }
        }
        return sb.toString();
    }

    /**
     * Sets (or, with null, removes) one label of the test node by a merge patch: the agent and the kubelet write the
     * node all the time, and a read-modify-write (fabric8's edit) then fails with 409 Conflict.
     */
    static void labelNode(KubernetesClient k8s, String key, String value) {
        java.util.Map<String, Object> labels = new java.util.HashMap<>();
        labels.put(key, value);
        k8s.nodes().withName(TestCluster.NODE).patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
            io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            io.fabric8.kubernetes.client.utils.Serialization.asJson(java.util.Map.of("metadata",
                java.util.Map.of("labels", labels))));
    }

    /**
     * Takes every GPU label and node agent report off the node, as on a node nobody has looked at. A merge patch
     * without a resourceVersion: the node agent and the kubelet write the node all the time, and a read-modify-write
     * would be refused as stale (409) whenever one of them wrote in between.
     */
    static void forgetGpus(KubernetesClient k8s, String... otherLabels) {
        java.util.Set<String> others = java.util.Set.of(otherLabels);
        var meta = k8s.nodes().withName(TestCluster.NODE).get().getMetadata();
        java.util.Map<String, Object> labels = new java.util.HashMap<>();
        meta.getLabels().keySet().stream().filter(k -> k.startsWith("nvidia.com/") || k.startsWith("gpuop.dev/")
            || others.contains(k)).forEach(k -> labels.put(k, null));
        java.util.Map<String, Object> annotations = new java.util.HashMap<>();
        if (meta.getAnnotations() != null) {
            meta.getAnnotations().keySet().stream().filter(k -> k.startsWith("gpuop.dev/"))
                .forEach(k -> annotations.put(k, null));
        }
        k8s.nodes().withName(TestCluster.NODE).patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
            io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            io.fabric8.kubernetes.client.utils.Serialization.asJson(java.util.Map.of("metadata",
                java.util.Map.of("labels", labels, "annotations", annotations))));
    }
}
