package dev.gpuop.operator.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.api.v1alpha1.DriverUpgradePolicySpec;
import dev.gpuop.api.v1alpha1.DriverUpgradePolicySpec.Drain;
import dev.gpuop.api.v1alpha1.DriverUpgradePolicySpec.PodDeletion;
import dev.gpuop.api.v1alpha1.DriverUpgradePolicySpec.WaitForCompletion;
import dev.gpuop.operator.upgrade.NodeView.DriverPod;
import dev.gpuop.operator.upgrade.NodeView.PodView;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class UpgradePlanTest {

    static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");

    @Test
    void aHundredNodesUpgradeNeverMoreThanTenAtOnceAndEndUncordoned() {
        Cluster c = new Cluster(100);
        UpgradePolicy p = policy(new DriverUpgradePolicySpec(null, 10, null, null, null, null));
        long maxOut = 0;
        for (int pass = 0; pass < 200 && !c.allDone(); pass++) {
            c.apply(UpgradePlan.of(p, "new", c.views(), T0.plusSeconds(pass)));
            maxOut = Math.max(maxOut, c.cordoned());
        }
        assertThat(c.allDone()).isTrue();
        assertThat(maxOut).isEqualTo(10);
        assertThat(c.cordoned()).isZero();
        assertThat(c.nodes.values()).allSatisfy(n -> assertThat(n.driver.revision()).isEqualTo("new"));
    }

    @Test
    void maxUnavailableIsAPercentageRoundedUpAndNodesCordonedByOthersCount() {
        Cluster c = new Cluster(10);
        c.nodes.get("n-000").unschedulable = true; // cordoned by the admin, not by us
        UpgradePolicy p = policy(new DriverUpgradePolicySpec(null, 0, new IntOrString("25%"), null, null, null));
        assertThat(p.maxUnavailable(10)).isEqualTo(3);
        c.apply(UpgradePlan.of(p, "new", c.views(), T0)); // all to upgrade-required
        c.apply(UpgradePlan.of(p, "new", c.views(), T0));
        // n-000 starts without taking room (it is out already); two more fit under 3; each goes on in the same pass
        // through cordon and the (selector-less) wait for jobs up to the pod deletion, which needs its pods read
        assertThat(c.inState(UpgradeState.POD_DELETION_REQUIRED)).containsExactly("n-000", "n-001", "n-002");
        assertThat(c.cordoned()).isEqualTo(3);
        for (int pass = 0; pass < 100 && !c.allDone(); pass++) {
            c.apply(UpgradePlan.of(p, "new", c.views(), T0));
            assertThat(c.cordoned()).isLessThanOrEqualTo(3);
        }
        assertThat(c.allDone()).isTrue();
        assertThat(c.nodes.get("n-000").unschedulable).as("left cordoned as the admin had it").isTrue();
        assertThat(c.nodes.get("n-001").unschedulable).isFalse();
    }

    @Test
    void anOperatorRestartMidUpgradeGoesOnFromTheLabel() {
        Cluster c = new Cluster(1);
        Node n = c.nodes.get("n-000");
        n.state = UpgradeState.POD_RESTART_REQUIRED; // as a previous operator left it
        n.unschedulable = true;
        UpgradePolicy p = policy(new DriverUpgradePolicySpec(null, null, null, null, null, null));
        List<NodeChange> first = UpgradePlan.of(p, "new", c.views(), T0);
        assertThat(first).singleElement().satisfies(ch -> assertThat(ch.delete()).extracting(PodView::name)
            .containsExactly("driver-n-000"));
        c.apply(first);
        // the new pod is ready: validated (no agent pod there), uncordoned and done in one pass
        List<NodeChange> second = UpgradePlan.of(p, "new", c.views(), T0);
        assertThat(second).singleElement().satisfies(ch -> {
            assertThat(ch.from()).isEqualTo(UpgradeState.POD_RESTART_REQUIRED);
            assertThat(ch.to()).isEqualTo(UpgradeState.UPGRADE_DONE);
        });
        c.apply(second);
        assertThat(n.state).isEqualTo(UpgradeState.UPGRADE_DONE);
        assertThat(n.unschedulable).isFalse();
    }

    @Test
    void aWaitForJobsSelectorStopsTheSamePassChainWhereThePodsMustBeRead() {
        Cluster c = new Cluster(1);
        Node n = c.nodes.get("n-000");
        n.state = UpgradeState.UPGRADE_REQUIRED;
        UpgradePolicy p = policy(new DriverUpgradePolicySpec(null, null, null,
            new WaitForCompletion("app=batch", null), null, null));
        NodeChange ch = UpgradePlan.of(p, "new", c.views(), T0).getFirst();
        assertThat(ch.to()).isEqualTo(UpgradeState.WAIT_FOR_JOBS_REQUIRED);
        assertThat(ch.unschedulable()).contains(true);
        assertThat(ch.annotations()).containsEntry(NodeUpgradeStep.SINCE, Long.toString(T0.getEpochSecond()));
    }

    @Test
    void aGpuPodNoControllerWouldRemakeFailsTheNodeNamingThePodAndTheKey() {
        Cluster c = new Cluster(1);
        Node n = c.nodes.get("n-000");
        n.state = UpgradeState.POD_DELETION_REQUIRED;
        n.pods.add(pod("train-0", true, false, false));
        n.pods.add(pod("web-1", false, true, false)); // not a GPU pod: not deleted
        UpgradePolicy p = policy(new DriverUpgradePolicySpec(null, null, null, null, null, null));
        NodeChange ch = UpgradePlan.of(p, "new", c.views(), T0).getFirst();
        assertThat(ch.to()).isEqualTo(UpgradeState.UPGRADE_FAILED);
        assertThat(ch.annotations().get(NodeUpgradeStep.FAILURE)).contains("default/train-0")
            .contains("driver.upgradePolicy.podDeletion.force");
        assertThat(ch.delete()).isEmpty();

        UpgradePolicy force = policy(new DriverUpgradePolicySpec(null, null, null, null,
            new PodDeletion(true, null, null), null));
        NodeChange forced = UpgradePlan.of(force, "new", c.views(), T0).getFirst();
        assertThat(forced.to()).isEqualTo(UpgradeState.POD_DELETION_REQUIRED);
        assertThat(forced.delete()).extracting(PodView::name).containsExactly("train-0");

        UpgradePolicy drain = policy(new DriverUpgradePolicySpec(null, null, null, null, null,
            new Drain(true, true, null, null, null)));
        assertThat(UpgradePlan.of(drain, "new", c.views(), T0).getFirst().to()).isEqualTo(UpgradeState.DRAIN_REQUIRED);
    }

    @Test
    void deletedGpuPodsThatDoNotGoFailTheNodeAfterTheTimeout() {
        Cluster c = new Cluster(1);
        Node n = c.nodes.get("n-000");
        n.state = UpgradeState.POD_DELETION_REQUIRED;
        n.since = T0;
        n.pods.add(pod("infer-0", true, true, true)); // deleted already, still terminating
        UpgradePolicy p = policy(new DriverUpgradePolicySpec(null, null, null, null,
            new PodDeletion(null, 60, null), null));
        assertThat(UpgradePlan.of(p, "new", c.views(), T0.plusSeconds(30))).isEmpty(); // no second delete
        NodeChange late = UpgradePlan.of(p, "new", c.views(), T0.plusSeconds(60)).getFirst();
        assertThat(late.to()).isEqualTo(UpgradeState.UPGRADE_FAILED);
        assertThat(late.message()).get().asString().contains("podDeletion.timeoutSeconds");
    }

    @Test
    void jobsAreWaitedForUntilTheyFinishOrTheTimeout() {
        Cluster c = new Cluster(1);
        Node n = c.nodes.get("n-000");
        n.state = UpgradeState.WAIT_FOR_JOBS_REQUIRED;
        n.since = T0;
        n.pods.add(pod("job-0", true, true, false));
        UpgradePolicy p = policy(new DriverUpgradePolicySpec(null, null, null,
            new WaitForCompletion("app=batch", 600), null, null));
        assertThat(UpgradePlan.of(p, "new", c.views(), T0.plusSeconds(599))).isEmpty();
        assertThat(UpgradePlan.of(p, "new", c.views(), T0.plusSeconds(600)).getFirst().to())
            .isEqualTo(UpgradeState.POD_DELETION_REQUIRED);
        n.pods.clear();
        n.pods.add(new PodView("default", "job-0", true, false, true, true, false, false, false));
        assertThat(UpgradePlan.of(p, "new", c.views(), T0.plusSeconds(1)).getFirst().to())
            .isEqualTo(UpgradeState.POD_DELETION_REQUIRED);
    }

    @Test
    void skippedNodesAndNodesWithoutADriverPodAreLeftAlone() {
        Cluster c = new Cluster(2);
        c.nodes.get("n-000").skip = true;
        c.nodes.get("n-001").driver = null;
        UpgradePolicy p = policy(new DriverUpgradePolicySpec(null, null, null, null, null, null));
        assertThat(UpgradePlan.of(p, "new", c.views(), T0)).isEmpty();
    }

    @Test
    void aFailedNodeComesBackOnceItsDriverIsCurrentAndReady() {
        Cluster c = new Cluster(1);
        Node n = c.nodes.get("n-000");
        n.state = UpgradeState.UPGRADE_FAILED;
        n.unschedulable = true;
        UpgradePolicy p = policy(new DriverUpgradePolicySpec(null, null, null, null, null, null));
        assertThat(UpgradePlan.of(p, "new", c.views(), T0)).isEmpty();
        n.driver = new DriverPod("driver-n-000-b", "new", true, false);
        c.apply(UpgradePlan.of(p, "new", c.views(), T0));
        assertThat(n.state).isEqualTo(UpgradeState.UPGRADE_DONE);
        assertThat(n.unschedulable).isFalse();
    }

    static UpgradePolicy policy(DriverUpgradePolicySpec s) {
        return UpgradePolicy.of(s);
    }

    static PodView pod(String name, boolean gpu, boolean controller, boolean terminating) {
        return new PodView("default", name, false, terminating, gpu, controller, false, false, false);
    }

    /** A cluster that does what the API would: a deleted driver pod comes back at the new revision, ready. */
    static final class Cluster {
        final Map<String, Node> nodes = new TreeMap<>();

        Cluster(int n) {
            for (int i = 0; i < n; i++) {
                String name = String.format("n-%03d", i);
                nodes.put(name, new Node(name));
            }
        }

        List<NodeView> views() {
            return nodes.values().stream().map(Node::view).toList();
        }

        void apply(List<NodeChange> changes) {
            for (NodeChange ch : changes) {
                Node n = nodes.get(ch.node());
                assertThat(n.state).as("a change starts from the state it read").isEqualTo(ch.from());
                n.state = ch.to();
                ch.unschedulable().ifPresent(u -> n.unschedulable = u);
                ch.annotations().forEach((k, v) -> {
                    if (v == null) {
                        n.annotations.remove(k);
                    } else {
                        n.annotations.put(k, v);
                    }
                });
                if (ch.delete().stream().anyMatch(p -> p.name().equals(n.driver.name()))) {
                    n.driver = new DriverPod("driver-" + n.name + "-new", "new", true, false);
                }
                n.pods.removeIf(p -> ch.delete().contains(p) || ch.evict().contains(p));
            }
        }

        boolean allDone() {
            return nodes.values().stream().allMatch(n -> n.state == UpgradeState.UPGRADE_DONE);
        }

        long cordoned() {
            return nodes.values().stream().filter(n -> n.unschedulable).count();
        }

        List<String> inState(UpgradeState s) {
            return nodes.values().stream().filter(n -> n.state == s).map(n -> n.name).toList();
        }
    }

    static final class Node {
        final String name;
        UpgradeState state = UpgradeState.UNKNOWN;
        boolean unschedulable;
        boolean skip;
        Instant since;
        DriverPod driver;
        final Map<String, String> annotations = new HashMap<>();
        final List<PodView> pods = new ArrayList<>();

        Node(String name) {
            this.name = name;
            this.driver = new DriverPod("driver-" + name, "old", true, false);
        }

        NodeView view() {
            return new NodeView(name, state, unschedulable,
                "true".equals(annotations.get(NodeUpgradeStep.INITIAL_UNSCHEDULABLE)), false, skip,
                Optional.ofNullable(since), Optional.ofNullable(driver), Optional.empty(), List.copyOf(pods));
        }
    }
}
