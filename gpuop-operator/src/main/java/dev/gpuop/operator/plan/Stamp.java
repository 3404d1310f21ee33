package dev.gpuop.operator.plan;

import dev.gpuop.api.v1alpha1.ClusterPolicy;
import dev.gpuop.api.v1alpha1.OperatorSpec;
import dev.gpuop.operator.operand.OperandId;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Marks every wanted object the same way: namespace (namespaced kinds only), gpuop's labels with the operand's
 * name, the policy's extra labels, an owner reference to the policy (deleting the policy removes everything), and
 * last a hash of the object, so the controller can tell "unchanged" without comparing fields the API server fills.
 */
public final class Stamp {

    /** The hash of the object as gpuop wants it. */
    public static final String HASH = "gpuop.dev/desired-hash";
    /** Labels every gpuop object carries. */
    public static final List<Map.Entry<String, String>> LABELS = List.of(
        Map.entry("app.kubernetes.io/managed-by", "gpuop"), Map.entry("app.kubernetes.io/part-of", "gpuop"));

    private Stamp() {
    }

    static void stamp(HasMetadata o, OperandId operand, ClusterPolicy policy, String namespace) {
        ObjectMeta m = o.getMetadata();
        if (o instanceof Namespaced) {
            m.setNamespace(namespace);
        }
        Map<String, String> labels = new LinkedHashMap<>(m.getLabels() == null ? Map.of() : m.getLabels());
        LABELS.forEach(e -> labels.put(e.getKey(), e.getValue()));
        labels.put(OperandId.LABEL, operand.id());
        OperatorSpec op = policy.spec().operator();
        if (op.labels() != null) {
            op.labels().forEach(labels::putIfAbsent);
        }
        m.setLabels(labels);
        if (op.annotations() != null) {
            Map<String, String> ann = new LinkedHashMap<>(m.getAnnotations() == null ? Map.of() : m.getAnnotations());
            op.annotations().forEach(ann::putIfAbsent);
            m.setAnnotations(ann);
        }
        if (policy.getMetadata() != null && policy.getMetadata().getUid() != null) {
            m.setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion(policy.getApiVersion())
                .withKind(policy.getKind()).withName(policy.getMetadata().getName())
                .withUid(policy.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true)
                .build()));
        }
        Map<String, String> ann = new LinkedHashMap<>(m.getAnnotations() == null ? Map.of() : m.getAnnotations());
        ann.remove(HASH);
        m.setAnnotations(ann);
        // the hash covers everything else, so it must be computed last
        ann.put(HASH, hash(Serialization.asJson(o)));
    }

    /** The stamped hash of an object, or null. */
    public static String hashOf(HasMetadata o) {
        Map<String, String> a = o.getMetadata().getAnnotations();
        return a == null ? null : a.get(HASH);
    }

    static String hash(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
