package dev.gpuop.operator.controller;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpuop.operator.operand.OperandId;
import dev.gpuop.operator.plan.Drift;
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
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Makes the cluster hold exactly an operand's wanted objects: per kind it lists what carries the operand's label,
 * creates what is missing, replaces what has another hash, and deletes what is no longer wanted (all of it, for a
 * disabled operand). An object that exists without our label (K3s pre-creates RuntimeClass {@code nvidia}) is
 * adopted. An object edited by hand is put back ({@link Drift}), whether or not the edit kept our hash annotation.
 * What exists is read from the operator's informer caches ({@link OperandCache}) where it has them, else listed per
 * kind: an unchanged cluster costs no write, and with the caches no read either.
 */
final class OperandApplier {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(OperandApplier.class.getName());

    private final KubernetesClient client;
    private final String namespace;
    private final OperandCache cache;
    /** Per object and desired hash, a field the API server rewrites on every write (not drift). */
    private final Map<String, String> normalizedByServer = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * Per object, the resourceVersion and desired hash last found free of drift. Any write to the object, a hand
     * edit too, gives it a new resourceVersion; until then the field-by-field comparison (two JSON trees per object,
     * a few milliseconds each for every unchanged object of every reconcile, ahead of the objects a policy change
     * does change) would find what it found before.
     */
    private final Map<String, String> checkedClean = new java.util.concurrent.ConcurrentHashMap<>();

    OperandApplier(KubernetesClient client, String namespace, OperandCache cache) {
        this.client = client;
        this.namespace = namespace;
        this.cache = cache;
    }

    /**
     * Applies one operand and returns its DaemonSets as they are now; {@code onDrift} hears of each object changed
     * by hand and put back.
     */
    List<DaemonSet> apply(OperandPlan plan, ApiCalls calls, Consumer<String> onDrift) {
        List<DaemonSet> daemonSets = new ArrayList<>();
        for (Class<? extends HasMetadata> kind : plan.kinds()) {
            Map<String, HasMetadata> existing = new HashMap<>();
            for (HasMetadata o : list(kind, plan.id(), calls)) {
                existing.put(o.getMetadata().getName(), o);
            }
            for (HasMetadata want : plan.objects()) {
                if (!kind.isInstance(want)) {
                    continue;
                }
                HasMetadata result = converge(want, existing.remove(want.getMetadata().getName()), calls, onDrift,
                    true);
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

    /**
     * Creates, replaces or puts back one object. A write refused with 409 (the object is there after all, or it
     * changed since it was read: a cache a moment behind, a pre-created object without our label, someone's edit) is
     * decided once more on the object as the API server has it now.
     */
    private HasMetadata converge(HasMetadata want, HasMetadata now, ApiCalls calls, Consumer<String> onDrift,
                                 boolean retry) {
        try {
            return now == null ? create(want, calls)
                : !Objects.equals(Stamp.hashOf(now), Stamp.hashOf(want)) ? replace(want, now, calls)
                : putBackIfDrifted(want, now, calls, onDrift);
        } catch (KubernetesClientException e) {
            if (!retry || e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
            calls.read();
            return converge(want, client.resource(want).get(), calls, onDrift, false);
        }
    }

    private List<? extends HasMetadata> list(Class<? extends HasMetadata> kind, OperandId id, ApiCalls calls) {
        Optional<List<HasMetadata>> cached = cache.list(kind, OperandId.LABEL, id.id());
        if (cached.isPresent()) {
            return cached.get();
        }
        calls.read();
        var op = client.resources(kind);
        var scoped = Namespaced.class.isAssignableFrom(kind) ? op.inNamespace(namespace) : op;
        return scoped.withLabel(OperandId.LABEL, id.id()).list().getItems();
    }

    /**
     * An object whose hash is ours but whose fields were edited by hand: put back, with a note naming the field.
     * A difference that survives our own write is the API server normalizing a value (a quantity written another
     * way), not drift: remembered for that desired state, so it never costs a write again.
     */
    private HasMetadata putBackIfDrifted(HasMetadata want, HasMetadata now, ApiCalls calls, Consumer<String> onDrift) {
        String key = now.getKind() + "/" + now.getMetadata().getName() + "@" + Stamp.hashOf(want);
        String version = now.getMetadata().getResourceVersion();
        String checked = now.getKind() + "/" + now.getMetadata().getNamespace() + "/" + now.getMetadata().getName();
        if (version != null && (version + "@" + Stamp.hashOf(want)).equals(checkedClean.get(checked))) {
            return now;
        }
        Optional<String> field = Drift.firstDifference(JSON.valueToTree(want), JSON.valueToTree(now));
        if (field.isEmpty() || field.get().equals(normalizedByServer.get(key))) {
            if (version != null) {
                checkedClean.put(checked, version + "@" + Stamp.hashOf(want));
            }
            return now;
        }
        HasMetadata back = replace(want, now, calls);
        Optional<String> still = Drift.firstDifference(JSON.valueToTree(want), JSON.valueToTree(back));
        if (still.isPresent() && still.get().equals(field.get())) {
            normalizedByServer.put(key, field.get());
            LOG.log(System.Logger.Level.INFO, "the API server rewrites {0} of {1} {2}: not drift, not written again",
                field.get(), now.getKind(), now.getMetadata().getName());
            return back;
        }
        onDrift.accept(now.getKind() + " " + now.getMetadata().getName() + " was changed by hand at " + field.get()
            + "; put back as the policy says");
        return back;
    }

    private HasMetadata create(HasMetadata want, ApiCalls calls) {
        calls.write();
        return client.resource(want).create();
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
