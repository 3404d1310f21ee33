package dev.gpuop.cli.bench;

import dev.gpuop.api.v1alpha1.ClusterPolicy;
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
 * and API calls of the first reconcile (every node gets its labels: the policy change that touches every node) and
 * of the next one (steady state, which must write nothing). Baseline measured in the same run: one LIST of all
 * nodes, the least any operator pays to look at the cluster.
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
            System.out.printf("%6s %10s %12s %7s %7s %7s %12s %7s %7s%n", "nodes", "LIST ms", "first ms", "ratio",
                "reads", "writes", "steady ms", "ratio", "writes");
            for (int n : sizes) {
                cluster.kwokNodes(0);
                cluster.kwokNodes(n);
                long list = median(() -> k8s.nodes().list().getItems().size());
                List<Node> snapshot = k8s.nodes().list().getItems();
                PolicyController fromSnapshot = new PolicyController(k8s, new OperatorSettings(NS,
                    "gpuop/gpuop:dev"), () -> snapshot, new OperatorMetrics(new PrometheusRegistry()),
                    Clock.systemUTC());
                long t0 = System.nanoTime();
                PolicyController.Outcome first = fromSnapshot.reconcile(policy(k8s));
                long firstMs = (System.nanoTime() - t0) / 1_000_000;
                // the informer's cache holds the labelled nodes by now; a fresh list stands in for it
                List<Node> after = k8s.nodes().list().getItems();
                PolicyController steady = new PolicyController(k8s, new OperatorSettings(NS, "gpuop/gpuop:dev"),
                    () -> after, new OperatorMetrics(new PrometheusRegistry()), Clock.systemUTC());
                // let the DaemonSet controller post the new DaemonSets' status (a real change), then measure a
                // reconcile of a cluster where nothing changes
                Thread.sleep(2000);
                steady.reconcile(policy(k8s));
                long t1 = System.nanoTime();
                PolicyController.Outcome again = steady.reconcile(policy(k8s));
                long steadyMs = (System.nanoTime() - t1) / 1_000_000;
                System.out.printf("%6d %10d %12d %7.1f %7d %7d %12d %7.2f %7d%n", n, list, firstMs,
                    firstMs / (double) Math.max(1, list), first.reads(), first.writes(), steadyMs,
                    steadyMs / (double) Math.max(1, list), again.writes());
                if (again.writes() != 0) {
                    throw new AssertionError("steady state wrote " + again.writes() + " times at " + n + " nodes");
                }
            }
        }
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
        k8s.resource(crd).serverSideApply();
        k8s.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
            .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getConditions().stream()
                .anyMatch(x -> x.getType().equals("Established") && x.getStatus().equals("True")), 60,
                java.util.concurrent.TimeUnit.SECONDS);
        if (k8s.resources(ClusterPolicy.class).withName("bench").get() == null) {
            ClusterPolicy p = Serialization.unmarshal("apiVersion: gpuop.dev/v1alpha1\nkind: ClusterPolicy\n"
                + "metadata:\n  name: bench\nspec:\n  operator:\n    defaultRuntime: containerd\n"
                + "  driver:\n    enabled: false\n  toolkit:\n    enabled: false\n", ClusterPolicy.class);
            k8s.resource(p).create();
        }
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
