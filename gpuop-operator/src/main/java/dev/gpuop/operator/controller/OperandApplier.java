package dev.gpuop.operator.controller;

import dev.gpuop.operator.operand.OperandId;
import dev.gpuop.operator.plan.OperandPlan;
import dev.gpuop.operator.plan.Stamp;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Makes the cluster hold exactly an operand's wanted objects: per kind it lists what carries the operand's label,
 * creates what is missing, replaces what has another hash, and deletes what is no longer wanted (all of it, for a
 * disabled operand). An object that exists without our label (K3s pre-creates RuntimeClass {@code nvidia}) is
 * adopted. An unchanged cluster costs one list per kind and no write.
 */
final class OperandApplier {

    private final KubernetesClient client;
    private final String namespace;

    OperandApplier(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    /** Applies one operand and returns its DaemonSets as they are now. */
    List<DaemonSet> apply(OperandPlan plan, ApiCalls calls) {
        List<DaemonSet> daemonSets = new ArrayList<>();
        for (Class<? extends HasMetadata> kind : plan.kinds()) {
            Map<String, HasMetadata> existing = new HashMap<>();
            calls.read();
            for (HasMetadata o : list(kind, plan.id())) {
                existing.put(o.getMetadata().getName(), o);
            }
            for (HasMetadata want : plan.objects()) {
                if (!kind.isInstance(want)) {
                    continue;
                }
                HasMetadata now = existing.remove(want.getMetadata().getName());
                HasMetadata result = now == null ? create(want, calls)
                    : Objects.equals(Stamp.hashOf(now), Stamp.hashOf(want)) ? now : replace(want, now, calls);
                if (result instanceof DaemonSet ds) {
                    daemonSets.add(ds);
                }
            }
            for (HasMetadata leftover : existing.values()) {
                calls.write();
                client.resource(leftover).delete();
            }
        }
        return daemonSets;
    }

    private List<? extends HasMetadata> list(Class<? extends HasMetadata> kind, OperandId id) {
        var op = client.resources(kind);
        var scoped = Namespaced.class.isAssignableFrom(kind) ? op.inNamespace(namespace) : op;
        return scoped.withLabel(OperandId.LABEL, id.id()).list().getItems();
    }

    private HasMetadata create(HasMetadata want, ApiCalls calls) {
        calls.write();
        try {
            return client.resource(want).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
            calls.read();
            HasMetadata found = client.resource(want).get();
            return replace(want, found, calls);
        }
    }

    private HasMetadata replace(HasMetadata want, HasMetadata now, ApiCalls calls) {
        calls.write();
        want.getMetadata().setResourceVersion(now.getMetadata().getResourceVersion());
        try {
            return client.resource(want).update();
        } finally {
            want.getMetadata().setResourceVersion(null);
        }
    }
}
