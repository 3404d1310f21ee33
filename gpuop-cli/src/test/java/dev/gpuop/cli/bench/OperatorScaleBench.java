package dev.gpuop.cli.bench;

import dev.gpuop.api.v1alpha1.ClusterPolicy;
import dev.gpuop.api.v1alpha1.MigSpec;
import dev.gpuop.operator.controller.OperatorMetrics;
import dev.gpuop.operator.controller.PolicyController;
import dev.gpuop.operator.operand.OperatorSettings;
import dev.gpuop.testsupport.TestCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

/**
 * The operator at scale on the test cluster (bench/operator-scale.sh): for N fresh KWOK GPU nodes, the wall time
 * and API calls of the first reconcile (every node gets its labels), of a policy change (MIG strategy flipped), and
 * of a reconcile with nothing to do (steady state, which must write nothing). Baselines measured in the same run:
 * one LIST of all nodes (the least any operator pays to look), and N bare merge patches at the same concurrency
 * (the least any operator pays to label N nodes).
 */
public final class OperatorScaleBench {

    private static final String NS = "gpuop-bench";

    private OperatorScaleBench() {
    }

    public static void main(String[] args) throws Exception {
        int[] sizes = Arrays.stream((args.length > 0 ? args[0] : "10,100,1000,5000").split(","))
            .mapToInt(Integer::parseInt).toArray();
        TestCluster cluster = TestCluster.get();
        try (KubernetesClient k8s = cluster.client()) {
            setUp(k8s);
            System.out.printf("%6s %8s %10s %9s %6s %7s | %9s %6s | %9s %6s %6s%n", "nodes", "LIST ms",
                "patch-N ms", "first ms", "ratio", "writes", "change ms", "writes", "steady ms", "reads", "writes");
            for (int n : sizes) {
                cluster.kwokNodes(0);
                cluster.kwokNodes(n);
                long list = median(() -> k8s.nodes().list().getItems().size());
                List<Node> snapshot = k8s.nodes().list().getItems();
                long patchAll = patchAll(k8s, snapshot);
                PolicyController fromSnapshot = new PolicyController(k8s, new OperatorSettings(NS,
                    "gpuop/gpuop:dev"), () -> snapshot, new OperatorMetrics(new PrometheusRegistry()),
                    Clock.systemUTC());
                long t0 = System.nanoTime();
                PolicyController.Outcome first = fromSnapshot.reconcile(policy(k8s));
                long firstMs = (System.nanoTime() - t0) / 1_000_000;
                if (first.status().conditions().stream().anyMatch(c -> c.getType().equals("Error")
                    && c.getStatus().equals("True"))) {
                    throw new AssertionError("the policy was refused: " + first.status().conditions());
                }
                // the informer's cache holds the labelled nodes by now; a fresh list stands in for it
                List<Node> after = k8s.nodes().list().getItems();
                PolicyController steady = new PolicyController(k8s, new OperatorSettings(NS, "gpuop/gpuop:dev"),
                    () -> after, new OperatorMetrics(new PrometheusRegistry()), Clock.systemUTC());
                // let the DaemonSet controller post the new DaemonSets' status (a real change), then measure a
                // reconcile of a cluster where nothing changes
                Thread.sleep(2000);
                steady.reconcile(policy(k8s));
                // a policy change: the MIG strategy flips, so the node agents' MIG manager part goes or comes back
                // and every node agent DaemonSet changes; no node needs a write for it
                ClusterPolicy p = policy(k8s);
                p.getSpec().setMig(new MigSpec(p.spec().mig().strategyOrDefault() == MigSpec.Strategy.NONE
                    ? MigSpec.Strategy.SINGLE : MigSpec.Strategy.NONE));
                k8s.resource(p).update();
                long t2 = System.nanoTime();
                PolicyController.Outcome change = steady.reconcile(policy(k8s));
                long changeMs = (System.nanoTime() - t2) / 1_000_000;
                Thread.sleep(2000);
                steady.reconcile(policy(k8s));
                long t1 = System.nanoTime();
                PolicyController.Outcome again = steady.reconcile(policy(k8s));
                long steadyMs = (System.nanoTime() - t1) / 1_000_000;
                System.out.printf("%6d %8d %10d %9d %6.2f %7d | %9d %6d | %9d %6d %6d%n", n, list, patchAll,
                    firstMs, firstMs / (double) Math.max(1, patchAll), first.writes(), changeMs, change.writes(),
                    steadyMs, again.reads(), again.writes());
                if (again.writes() != 0) {
                    throw new AssertionError("steady state wrote " + again.writes() + " times at " + n + " nodes");
                }
            }
        }
    }

    /**
     * The baseline for labelling: one merge patch per node, {@code NodeLabelWriter.PARALLEL} in flight, from a bare
     * loop with no planning: what the API server allows on this machine.
     */
    private static long patchAll(KubernetesClient k8s, List<Node> nodes) throws Exception {
        long t0 = System.nanoTime();
        java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(32);
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (Node n : nodes) {
                pool.submit(() -> {
                    slots.acquireUninterruptibly();
                    try {
                        k8s.nodes().withName(n.getMetadata().getName()).patch(
                            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                            "{\"metadata\":{\"labels\":{\"bench.gpuop.dev/baseline\":\"1\"}}}");
                    } finally {
                        slots.release();
                    }
                });
            }
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static ClusterPolicy policy(KubernetesClient k8s) {
        return k8s.resources(ClusterPolicy.class).withName("bench").get();
    }

    private static void setUp(KubernetesClient k8s) {
        if (k8s.namespaces().withName(NS).get() == null) {
            k8s.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                .create();
        }
        CustomResourceDefinition crd = Serialization.unmarshal(OperatorScaleBench.class.getResourceAsStream(
            "/META-INF/fabric8/clusterpolicies.gpuop.dev-v1.yml"), CustomResourceDefinition.class);
        k8s.resource(crd).forceConflicts().serverSideApply();
        k8s.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
            .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getConditions().stream()
                .anyMatch(x -> x.getType().equals("Established") && x.getStatus().equals("True")), 60,
                java.util.concurrent.TimeUnit.SECONDS);
        // the seed's flags (KWOK's GPUs are MIG-capable H100s, so the node agents' MIG manager part is on)
        ClusterPolicy p = Serialization.unmarshal("apiVersion: gpuop.dev/v1alpha1\nkind: ClusterPolicy\n"
            + "metadata:\n  name: bench\nspec:\n  operator:\n    defaultRuntime: containerd\n"
            + "  driver:\n    enabled: false\n  toolkit:\n    enabled: false\n", ClusterPolicy.class);
        k8s.resources(ClusterPolicy.class).withName("bench").withTimeout(60, java.util.concurrent.TimeUnit.SECONDS)
            .delete();
        k8s.resource(p).create();
    }

    private static long median(java.util.function.IntSupplier op) {
        long[] t = new long[5];
        for (int i = 0; i < t.length; i++) {
            long s = System.nanoTime();
            op.getAsInt();
            t[i] = (System.nanoTime() - s) / 1_000_000;
        }
        Arrays.sort(t);
        return t[t.length / 2];
    }
}
