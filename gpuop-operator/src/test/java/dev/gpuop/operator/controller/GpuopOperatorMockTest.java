package dev.gpuop.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpuop.api.v1alpha1.ClusterPolicy;
import dev.gpuop.api.v1alpha1.PolicyState;
import dev.gpuop.operator.TestNodes;
import dev.gpuop.operator.operand.OperatorSettings;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The whole operator (JOSDK, informers, event filters, HTTP endpoints) against the CRUD mock: a policy becomes
 * operands and a status, a new GPU node is picked up through the Node informer, and /metrics counts reconciles.
 */
@EnableKubernetesMockClient(crud = true)
class GpuopOperatorMockTest {

    KubernetesClient client;

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void thePolicyIsReconciledThroughTheInformersAndNewNodesArePickedUp() throws Exception {
        client.resource(client.getKubernetesSerialization().unmarshal(getClass().getResourceAsStream(
            "/META-INF/fabric8/clusterpolicies.gpuop.dev-v1.yml"), CustomResourceDefinition.class)).create();
        client.resource(TestNodes.nfdGpuNode("gpu-1", "v1.33.5")).create();
        try (GpuopOperator op = new GpuopOperator(client, new OperatorSettings("gpu-operator", "gpuop/gpuop:0.1.0"),
            false, 0, 0, false)) {
            client.resource(TestNodes.policy("driver:\n  enabled: false\n")).create();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                ClusterPolicy p = client.resources(ClusterPolicy.class).withName("cluster-policy").get();
                assertThat(p.getStatus()).isNotNull();
                assertThat(p.getStatus().state()).isEqualTo(PolicyState.NOT_READY);
                assertThat(p.getStatus().gpuNodes()).isEqualTo(1);
            });
            assertThat(client.apps().daemonSets().inNamespace("gpu-operator").withName("gpuop-node-agent").get())
                .isNotNull();

            // a K3s GPU node joins: the Node informer triggers a reconcile that adds its DaemonSet and labels it
            client.resource(TestNodes.nfdGpuNode("gpu-2", "v1.33.5+k3s1")).create();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(client.apps().daemonSets().inNamespace("gpu-operator").withName("gpuop-node-agent-k3s")
                    .get()).isNotNull();
                Node n = client.nodes().withName("gpu-2").get();
                assertThat(n.getMetadata().getLabels()).containsEntry("gpuop.dev/distribution", "k3s");
            });

            assertThat(get(op.http().healthPort(), "/healthz").statusCode()).isEqualTo(200);
            assertThat(get(op.http().healthPort(), "/readyz").statusCode()).isEqualTo(200);
            HttpResponse<String> metrics = get(op.http().metricsPort(), "/metrics");
            assertThat(metrics.body()).contains("gpuop_operator_reconciles_total{result=\"notReady\"}")
                .contains("gpuop_operator_gpu_nodes 2.0");
        }
    }
}
