package dev.gpuop.operator.controller;

import dev.gpuop.api.v1alpha1.ClusterPolicy;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;

/**
 * Events on the ClusterPolicy when its state changes, so {@code kubectl describe clusterpolicy} and {@code kubectl
 * get events} say what happened. Events of cluster-scoped objects live in {@code default}, as the kubelet's Node
 * events do. A failed event never fails a reconcile.
 */
final class EventRecorder {

    private static final System.Logger LOG = System.getLogger(EventRecorder.class.getName());
    private static final String NAMESPACE = "default";

    private final KubernetesClient client;

    EventRecorder(KubernetesClient client) {
        this.client = client;
    }

    /** Records an event; {@code warning} for problems. */
    void record(ClusterPolicy policy, boolean warning, String reason, String message, ApiCalls calls) {
        String now = Instant.now().toString();
        try {
            calls.write();
            client.v1().events().inNamespace(NAMESPACE).resource(new EventBuilder().withNewMetadata()
                .withGenerateName(policy.getMetadata().getName() + ".").withNamespace(NAMESPACE).endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(policy.getApiVersion())
                    .withKind(policy.getKind()).withName(policy.getMetadata().getName())
                    .withUid(policy.getMetadata().getUid()).build())
                .withType(warning ? "Warning" : "Normal").withReason(reason)
                .withMessage(message.length() > 1000 ? message.substring(0, 1000) + "..." : message)
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .withNewSource().withComponent("gpuop-operator").endSource().build()).create();
        } catch (KubernetesClientException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot record event " + reason + ": " + e.getMessage());
        }
    }
}
