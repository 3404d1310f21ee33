package dev.gpuop.node.deviceplugin.server;

import dev.gpuop.node.deviceplugin.health.HealthTransition;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The device plugin's own Prometheus series: registrations, refused configs and health transitions. */
public final class PluginMetrics {

    private final Counter registrations;
    private final Counter registrationFailures;
    private final Counter configRejections;
    private final Counter transitions;

    public PluginMetrics(PrometheusRegistry registry) {
        registrations = Counter.builder().name("gpuop_device_plugin_registrations_total")
            .help("Successful registrations with the kubelet").labelNames("resource").register(registry);
        registrationFailures = Counter.builder().name("gpuop_device_plugin_registration_failures_total")
            .help("Failed registrations with the kubelet").labelNames("resource").register(registry);
        configRejections = Counter.builder().name("gpuop_device_plugin_config_rejections_total")
            .help("Device plugin configs refused (the previous one kept serving)").register(registry);
        transitions = Counter.builder().name("gpuop_device_plugin_health_transitions_total")
            .help("GPU health changes seen by the device plugin").labelNames("gpu", "health").register(registry);
    }

    void registered(String resource) {
        registrations.labelValues(resource).inc();
    }

    void registrationFailed(String resource) {
        registrationFailures.labelValues(resource).inc();
    }

    void configRejected() {
        configRejections.inc();
    }

    void healthTransition(HealthTransition t) {
        transitions.labelValues(t.gpuUuid(), t.healthy() ? "Healthy" : "Unhealthy").inc();
    }
}
