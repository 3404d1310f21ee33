package dev.gpuop.operator.controller;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The operator's own metrics ({@code gpuop_operator_*}). */
public final class OperatorMetrics {

    final Counter reconciles;
    final Counter errors;
    final Histogram duration;
    final Gauge gpuNodes;
    final Gauge readyNodes;
    final Counter apiWrites;

    /** Registers the metrics in a registry. */
    public OperatorMetrics(PrometheusRegistry registry) {
        reconciles = Counter.builder().name("gpuop_operator_reconciles_total")
            .help("ClusterPolicy reconciles, by result (ready, notReady, invalid, ignored, error)")
            .labelNames("result").register(registry);
        errors = Counter.builder().name("gpuop_operator_reconcile_errors_total")
            .help("Reconciles that failed on an API error (retried)").register(registry);
        duration = Histogram.builder().name("gpuop_operator_reconcile_duration_seconds")
            .help("Wall time of one reconcile").register(registry);
        gpuNodes = Gauge.builder().name("gpuop_operator_gpu_nodes").help("GPU nodes seen").register(registry);
        readyNodes = Gauge.builder().name("gpuop_operator_ready_gpu_nodes")
            .help("GPU nodes whose node agent reports ready").register(registry);
        apiWrites = Counter.builder().name("gpuop_operator_api_writes_total")
            .help("Creates, updates, patches and deletes sent to the API server").register(registry);
    }
}
