package dev.gpuop.operator.controller;

import dev.gpuop.api.v1alpha1.ClusterPolicy;
import dev.gpuop.operator.operand.OperatorSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The running operator: JOSDK with one controller, leader election on a Lease in the operator's namespace, and the
 * metrics and health endpoints.
 */
public final class GpuopOperator implements AutoCloseable {

    /** The Lease that elects the one active replica. */
    public static final String LEASE = "gpuop-operator";

    private final Operator operator;
    private final OperatorHttpServer http;

    /**
     * Starts the operator.
     *
     * @param ssa whether to let JOSDK use server-side apply (off only against fabric8's mock server)
     */
    public GpuopOperator(KubernetesClient client, OperatorSettings settings, boolean leaderElection,
                         int metricsPort, int healthPort, boolean ssa) {
        PrometheusRegistry registry = new PrometheusRegistry();
        OperatorMetrics metrics = new OperatorMetrics(registry);
        operator = new Operator(o -> {
            o.withKubernetesClient(client).withCloseClientOnStop(false).withUseSSAToPatchPrimaryResource(ssa)
                .withSSABasedCreateUpdateMatchForDependentResources(ssa).withConcurrentReconciliationThreads(1);
            if (leaderElection) {
                o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(LEASE, settings.namespace()));
            }
        });
        operator.register(new ClusterPolicyReconciler(settings, metrics));
        http = new OperatorHttpServer(metricsPort, healthPort, registry, () -> operator.getRuntimeInfo()
            .allEventSourcesAreHealthy());
        try {
            ApiServerWait.untilAnswering(client, java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the API server", e);
        }
        operator.start();
        System.getLogger(GpuopOperator.class.getName()).log(System.Logger.Level.INFO,
            "gpuop operator started in namespace {0} (leader election {1}), watching {2}", settings.namespace(),
            leaderElection ? "on" : "off", ClusterPolicy.GROUP);
    }

    /** The HTTP endpoints. */
    public OperatorHttpServer http() {
        return http;
    }

    @Override
    public void close() {
        operator.stop();
        http.close();
    }
}
