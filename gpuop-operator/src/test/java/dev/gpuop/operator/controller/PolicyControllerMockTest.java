package dev.gpuop.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.api.v1alpha1.ClusterPolicy;
import dev.gpuop.api.v1alpha1.ComponentState;
import dev.gpuop.api.v1alpha1.PolicyState;
import dev.gpuop.operator.TestNodes;
import dev.gpuop.operator.operand.OperatorSettings;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reconcile called directly against fabric8's CRUD mock API server (no server-side apply there). */
@EnableKubernetesMockClient(crud = true)
class PolicyControllerMockTest {

    static final String NS = "gpu-operator";
    KubernetesClient client;
    PolicyController controller;

    @BeforeEach
    void setUp() {
        client.resource(client.getKubernetesSerialization().unmarshal(getClass().getResourceAsStream(
            "/META-INF/fabric8/clusterpolicies.gpuop.dev-v1.yml"), CustomResourceDefinition.class)).create();
        client.resource(TestNodes.nfdGpuNode("gpu-1", "v1.33.5+rke2r1")).create();
        client.resource(TestNodes.cpuNode("cpu-1")).create();
        controller = new PolicyController(client, new OperatorSettings(NS, "gpuop/gpuop:0.1.0"),
            () -> client.nodes().list().getItems(), new OperatorMetrics(new PrometheusRegistry()),
            Clock.systemUTC());
    }

    private ClusterPolicy create(String name, String spec, String created) {
        ClusterPolicy p = TestNodes.policy(spec);
        p.getMetadata().setName(name);
        p.getMetadata().setUid(null);
        p.getMetadata().setCreationTimestamp(created);
        return client.resource(p).create();
    }

    private ClusterPolicy fresh(String name) {
        return client.resources(ClusterPolicy.class).withName(name).get();
    }

    private DaemonSet ds(String name) {
        return client.apps().daemonSets().inNamespace(NS).withName(name).get();
    }

    private void markAllDaemonSetsReady() {
        for (DaemonSet d : client.apps().daemonSets().inNamespace(NS).list().getItems()) {
            d.setStatus(new io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder().withDesiredNumberScheduled(1)
                .withNumberAvailable(1).withUpdatedNumberScheduled(1).withNumberReady(1).withCurrentNumberScheduled(1)
                .withObservedGeneration(d.getMetadata().getGeneration()).build());
            client.resource(d).updateStatus();
        }
    }

    @Test
    void theSeedPolicyAppliesOperandsLabelsTheNodeAndThenCostsNoWrites() {
        create("cluster-policy", "operator:\n  defaultRuntime: containerd\ndriver:\n  enabled: false\n"
            + "toolkit:\n  enabled: false\n", "2026-11-29T10:00:00Z");
        PolicyController.Outcome first = controller.reconcile(fresh("cluster-policy"));
        assertThat(first.writes()).isGreaterThan(5);
        assertThat(client.apps().daemonSets().inNamespace(NS).list().getItems()).extracting(d -> d.getMetadata()
            .getName()).containsExactlyInAnyOrder("gpuop-node-discovery", "gpuop-node-agent", "gpuop-node-agent-rke2");
        assertThat(client.resources(RuntimeClass.class).withName("nvidia").get().getHandler()).isEqualTo("nvidia");
        assertThat(client.configMaps().inNamespace(NS).withName("gpuop-node-agent").get().getData())
            .containsKey("node-agent.yaml");
        Node gpu = client.nodes().withName("gpu-1").get();
        assertThat(gpu.getMetadata().getLabels()).containsEntry("nvidia.com/gpu.present", "true")
            .containsEntry("nvidia.com/gpu.deploy.node-agent", "true").containsEntry("gpuop.dev/distribution", "rke2")
            .containsEntry("nvidia.com/gpu.deploy.driver", "pre-installed");
        assertThat(client.nodes().withName("cpu-1").get().getMetadata().getLabels())
            .doesNotContainKey("nvidia.com/gpu.present");
        ClusterPolicy p = fresh("cluster-policy");
        assertThat(p.getStatus().state()).isEqualTo(PolicyState.NOT_READY);
        assertThat(p.getStatus().gpuNodes()).isEqualTo(1);
        assertThat(p.getStatus().operands()).extracting(o -> o.name() + "=" + o.state()).containsExactly(
            "prerequisites=READY", "node-discovery=NOT_READY", "driver=DISABLED", "node-agent=NOT_READY",
            "mig-manager=DISABLED");

        PolicyController.Outcome steady = controller.reconcile(fresh("cluster-policy"));
        assertThat(steady.writes()).as("an unchanged cluster costs no writes").isZero();

        markAllDaemonSetsReady();
        controller.reconcile(fresh("cluster-policy"));
        p = fresh("cluster-policy");
        assertThat(p.getStatus().state()).isEqualTo(PolicyState.READY);
        assertThat(p.getStatus().readyNodes()).isEqualTo(1);
        assertThat(controller.reconcile(fresh("cluster-policy")).writes()).isZero();
        assertThat(client.v1().events().inNamespace("default").list().getItems()).extracting(Event::getReason)
            .contains("OperandNotReady", "Reconciled");
    }

    /**
     * A hand edit that keeps the operator's hash annotation (which a hash comparison alone never saw) is put back at
     * the next reconcile, with a Warning naming the field; then the cluster is steady again at no writes. The edit
     * comes after a steady reconcile found the object clean, which the applier remembers by resourceVersion.
     */
    @Test
    void anOperandEditedByHandIsPutBackWithAnEventAndThenCostsNoWrites() {
        create("cluster-policy", "driver:\n  enabled: false\ntoolkit:\n  enabled: false\n", "2026-11-29T10:00:00Z");
        controller.reconcile(fresh("cluster-policy"));
        assertThat(controller.reconcile(fresh("cluster-policy")).writes()).as("steady").isZero();
        DaemonSet agent = ds("gpuop-node-agent-rke2");
        var container = agent.getSpec().getTemplate().getSpec().getContainers().getFirst();
        container.getEnv().add(new io.fabric8.kubernetes.api.model.EnvVar("HAND_EDIT", "1", null));
        container.setImage("example.com/other:1");
        client.resource(agent).update();
        assertThat(controller.reconcile(fresh("cluster-policy")).writes()).isGreaterThan(0);
        var back = ds("gpuop-node-agent-rke2").getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(back.getEnv()).noneMatch(e -> e.getName().equals("HAND_EDIT"));
        assertThat(back.getImage()).isNotEqualTo("example.com/other:1");
        assertThat(client.v1().events().inNamespace("default").list().getItems()).anySatisfy(e -> {
            assertThat(e.getReason()).isEqualTo("DriftCorrected");
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getMessage()).contains("DaemonSet gpuop-node-agent-rke2 was changed by hand at "
                + "spec.template.spec.containers[0].");
        });
        assertThat(controller.reconcile(fresh("cluster-policy")).writes()).isZero();
        client.apps().daemonSets().inNamespace(NS).withName("gpuop-node-agent-rke2").delete();
        controller.reconcile(fresh("cluster-policy"));
        assertThat(ds("gpuop-node-agent-rke2")).as("a deleted operand comes back").isNotNull();
    }

    @Test
    void aPolicyChangeUpdatesAndADisabledOperandIsDeletedByTheSamePath() {
        create("cluster-policy", "driver:\n  enabled: true\n  repository: nvcr.io/nvidia\n  image: driver\n"
            + "  version: 580.95.05\ntoolkit:\n  enabled: false\n", "2026-11-29T10:00:00Z");
        controller.reconcile(fresh("cluster-policy"));
        assertThat(ds("nvidia-driver-daemonset")).isNotNull();
        String before = ds("gpuop-node-agent-rke2").getMetadata().getResourceVersion();

        ClusterPolicy p = fresh("cluster-policy");
        p.getSpec().getDriver().setEnabled(false);
        p.getSpec().getToolkit().setEnabled(true);
        client.resource(p).update();
        controller.reconcile(fresh("cluster-policy"));
        assertThat(ds("nvidia-driver-daemonset")).as("disabled driver is deleted").isNull();
        assertThat(client.serviceAccounts().inNamespace(NS).withName("nvidia-driver").get()).isNull();
        DaemonSet agent = ds("gpuop-node-agent-rke2");
        assertThat(agent.getMetadata().getResourceVersion()).isNotEqualTo(before);
        assertThat(agent.getSpec().getTemplate().getSpec().getInitContainers()).extracting(c -> c.getName())
            .containsExactly("toolkit");
    }

    @Test
    void aPolicyThatCannotBeHonouredSaysWhichFieldAndAppliesNothing() {
        create("cluster-policy", "mig:\n  strategy: mixed\ndriver:\n  enabled: false\n", "2026-11-29T10:00:00Z");
        PolicyController.Outcome o = controller.reconcile(fresh("cluster-policy"));
        assertThat(client.apps().daemonSets().inNamespace(NS).list().getItems()).isEmpty();
        assertThat(client.nodes().withName("gpu-1").get().getMetadata().getLabels()).as("no node labelled either")
            .doesNotContainKey("nvidia.com/gpu.deploy.node-agent");
        ClusterPolicy p = fresh("cluster-policy");
        assertThat(p.getStatus().state()).isEqualTo(PolicyState.NOT_READY);
        assertThat(p.getStatus().conditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Error");
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getMessage()).contains("spec.mig.strategy").contains("gpu-1");
        });
        assertThat(client.v1().events().inNamespace("default").list().getItems()).anySatisfy(e -> {
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getMessage()).contains("spec.mig.strategy");
        });
        assertThat(o.requeue()).as("no hot loop on a bad policy").isGreaterThanOrEqualTo(java.time.Duration
            .ofMinutes(1));
        assertThat(controller.reconcile(fresh("cluster-policy")).writes()).isZero();
    }

    @Test
    void onlyTheOldestPolicyActsAndTheOthersAreMarkedIgnored() throws InterruptedException {
        // the server sets creationTimestamp (second precision); names sort the other way, so only age can decide
        create("z-older", "driver:\n  enabled: false\n", null);
        Thread.sleep(1100);
        create("a-newer", "driver:\n  enabled: false\n", null);
        controller.reconcile(fresh("a-newer"));
        assertThat(fresh("a-newer").getStatus().state()).isEqualTo(PolicyState.IGNORED);
        assertThat(fresh("a-newer").getStatus().conditions().getFirst().getMessage()).contains("z-older");
        assertThat(client.apps().daemonSets().inNamespace(NS).list().getItems()).isEmpty();
        controller.reconcile(fresh("z-older"));
        assertThat(fresh("z-older").getStatus().state()).isNotEqualTo(PolicyState.IGNORED);
        assertThat(ds("gpuop-node-agent")).isNotNull();
    }

    @Test
    void aUsersFalseOnANodeIsKeptAndTheNodeIsShownDisabled() {
        Node gpu = client.nodes().withName("gpu-1").get();
        gpu.getMetadata().getLabels().put("nvidia.com/gpu.deploy.node-agent", "false");
        client.resource(gpu).update();
        create("cluster-policy", "driver:\n  enabled: false\n", "2026-11-29T10:00:00Z");
        controller.reconcile(fresh("cluster-policy"));
        assertThat(client.nodes().withName("gpu-1").get().getMetadata().getLabels())
            .containsEntry("nvidia.com/gpu.deploy.node-agent", "false");
        assertThat(fresh("cluster-policy").getStatus().nodes()).singleElement().satisfies(n ->
            assertThat(n.state()).isEqualTo(ComponentState.DISABLED));
    }
}
