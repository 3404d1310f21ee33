package dev.gpuop.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.api.v1alpha1.ClusterPolicy;
import dev.gpuop.operator.TestNodes;
import dev.gpuop.operator.operand.OperatorSettings;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reconcile reading the policies and operand objects from caches, as the operator does from its informers:
 * against fabric8's CRUD mock API server, with a cache that is current and one that is behind.
 */
@EnableKubernetesMockClient(crud = true)
class PolicyControllerCacheMockTest {

    static final String NS = "gpu-operator";
    static final String POLICY = "driver:\n  enabled: false\ntoolkit:\n  enabled: false\n";
    KubernetesClient client;

    @BeforeEach
    void setUp() {
        client.resource(client.getKubernetesSerialization().unmarshal(getClass().getResourceAsStream(
            "/META-INF/fabric8/clusterpolicies.gpuop.dev-v1.yml"), CustomResourceDefinition.class)).create();
        client.resource(TestNodes.nfdGpuNode("gpu-1", "v1.33.5+rke2r1")).create();
        ClusterPolicy p = TestNodes.policy(POLICY);
        p.getMetadata().setUid(null);
        p.getMetadata().setCreationTimestamp("2026-11-29T10:00:00Z");
        client.resource(p).create();
    }

    private PolicyController controller(OperandCache cache) {
        return new PolicyController(client, new OperatorSettings(NS, "gpuop/gpuop:0.1.0"),
            () -> client.nodes().list().getItems(), new OperatorMetrics(new PrometheusRegistry()), Clock.systemUTC())
            .withCaches(() -> client.resources(ClusterPolicy.class).list().getItems(), cache);
    }

    /** A cache that is never behind: what the API server holds at the moment of the call (not counted as reads). */
    private OperandCache current() {
        return (kind, key, value) -> Optional.of(List.copyOf(listed(kind, key, value)));
    }

    private List<? extends HasMetadata> listed(Class<? extends HasMetadata> kind, String key, String value) {
        var op = client.resources(kind);
        return (Namespaced.class.isAssignableFrom(kind) ? op.inNamespace(NS) : op).withLabel(key, value).list()
            .getItems();
    }

    private ClusterPolicy policy() {
        return client.resources(ClusterPolicy.class).withName("cluster-policy").get();
    }

    private DaemonSet agent() {
        return client.apps().daemonSets().inNamespace(NS).withName("gpuop-node-agent-rke2").get();
    }

    @Test
    void withCurrentCachesAReconcileReadsNothingAndAnUnchangedOneWritesNothing() {
        PolicyController controller = controller(current());
        PolicyController.Outcome first = controller.reconcile(policy());
        assertThat(first.reads()).as("policies and operand objects all from the caches").isZero();
        assertThat(first.writes()).isGreaterThan(5);
        assertThat(agent()).isNotNull();

        PolicyController.Outcome again = controller.reconcile(policy());
        assertThat(again.reads()).isZero();
        assertThat(again.writes()).isZero();
    }

    /**
     * A cache a write behind (the operator's own write, its watch event not yet in): the replace carries the cached
     * resource version, the API server refuses it, and the object is decided again on what the server holds.
     * Nothing is written over; what the policy asks for is there.
     */
    @Test
    void aCacheBehindTheServerIsReadAgainAndNothingIsWrittenOver() {
        controller(current()).reconcile(policy());
        DaemonSet before = agent();
        ClusterPolicy p = policy();
        p.setSpec(TestNodes.policy(POLICY + "devicePlugin:\n  env:\n  - name: SIDE_BY_SIDE\n    value: \"1\"\n")
            .getSpec());
        client.resource(p).update();
        controller(current()).reconcile(policy());
        DaemonSet changed = agent();
        assertThat(changed.getMetadata().getResourceVersion()).isNotEqualTo(before.getMetadata().getResourceVersion());

        // the same policy again, with a cache that still holds the DaemonSet as it was before the change
        OperandCache behind = (kind, key, value) -> Optional.of(listed(kind, key, value).stream()
            .<HasMetadata>map(o -> o.getMetadata().getName().equals(before.getMetadata().getName()) ? before : o)
            .toList());
        PolicyController.Outcome outcome = controller(behind).reconcile(policy());
        assertThat(outcome.reads()).as("the refused write is followed by one read").isEqualTo(1);
        DaemonSet after = agent();
        assertThat(after.getMetadata().getResourceVersion()).as("no second write landed")
            .isEqualTo(changed.getMetadata().getResourceVersion());
        assertThat(after.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv())
            .contains(new EnvVar("SIDE_BY_SIDE", "1", null));
    }

    /** A cache that has not seen an object yet (just created, or pre-created without our label): adopted, once. */
    @Test
    void anObjectMissingFromTheCacheIsNotCreatedTwice() {
        controller(current()).reconcile(policy());
        String version = agent().getMetadata().getResourceVersion();
        OperandCache empty = (kind, key, value) -> Optional.of(List.of());
        PolicyController.Outcome outcome = controller(empty).reconcile(policy());
        assertThat(outcome.reads()).as("each refused create is followed by one read").isPositive();
        assertThat(agent().getMetadata().getResourceVersion()).isEqualTo(version);
        assertThat(client.apps().daemonSets().inNamespace(NS).list().getItems()).hasSize(3);
    }
}
