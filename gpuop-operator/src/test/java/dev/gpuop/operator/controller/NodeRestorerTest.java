package dev.gpuop.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import org.junit.jupiter.api.Test;

/** When a node agent DaemonSet has run the uninstall step on all its nodes. */
class NodeRestorerTest {

    private static DaemonSet ds(String step, long generation, long observed, int desired, int updated, int ready) {
        return new DaemonSetBuilder().withNewMetadata().withName("gpuop-node-agent-k3s").withGeneration(generation)
            .endMetadata().withNewSpec().withNewTemplate().withNewSpec().addNewInitContainer().withName("toolkit")
            .withArgs("toolkit", step, "--host-root", "/host").endInitContainer().endSpec().endTemplate().endSpec()
            .withNewStatus().withObservedGeneration(observed).withDesiredNumberScheduled(desired)
            .withUpdatedNumberScheduled(updated).withNumberReady(ready).endStatus().build();
    }

    @Test
    void onlyARolledOutUninstallStepOnEveryNodeIsDone() {
        assertThat(NodeRestorer.waitingFor(ds("install", 2, 2, 3, 3, 3))).contains("not switched");
        assertThat(NodeRestorer.waitingFor(ds("uninstall", 3, 2, 3, 3, 3))).contains("not observed");
        assertThat(NodeRestorer.waitingFor(ds("uninstall", 3, 3, 3, 2, 3))).contains("2 of 3 nodes updated");
        assertThat(NodeRestorer.waitingFor(ds("uninstall", 3, 3, 3, 3, 2))).contains("2 ready");
        assertThat(NodeRestorer.waitingFor(ds("uninstall", 3, 3, 3, 3, 3))).isNull();
        assertThat(NodeRestorer.waitingFor(ds("uninstall", 3, 3, 0, 0, 0))).as("no GPU node").isNull();
    }
}
