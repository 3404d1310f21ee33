package dev.gpuop.operator.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether an object in the cluster still holds what the operator wants in it: every field the desired object sets
 * must be there with the same value, lists the same length, element by element. Fields the API server or others add
 * (defaults, status, bookkeeping annotations) are not drift; a desired zero value ({@code false}, {@code 0},
 * {@code ""}, an empty list or map) matches an absent field, as the API server drops them. A hand edit that kept the
 * operator's hash annotation is found here, where comparing hashes alone missed it. Pure.
 */
public final class Drift {

    /** Server-side bookkeeping under metadata, never drift. */
    private static final Set<String> METADATA_OWNED_BY_SERVER = Set.of("resourceVersion", "uid", "creationTimestamp",
        "generation", "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds");

    private Drift() {
    }

    /** The path of the first field the live object lacks or holds otherwise, e.g. {@code spec.template...env[2]}. */
    public static Optional<String> firstDifference(JsonNode want, JsonNode live) {
        return Optional.ofNullable(diff(want, live, ""));
    }

    private static String diff(JsonNode want, JsonNode live, String path) {
        if (want == null || want.isNull() || want.isMissingNode()) {
            return null;
        }
        boolean liveAbsent = live == null || live.isNull() || live.isMissingNode();
        if (isZero(want)) {
            return liveAbsent || isZero(live) || sameScalar(want, live) ? null : path;
        }
        if (liveAbsent) {
            return path;
        }
        if (want.isObject()) {
            if (!live.isObject()) {
                return path;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = want.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> f = it.next();
                if (path.isEmpty() && f.getKey().equals("status")
                    || path.equals("metadata") && METADATA_OWNED_BY_SERVER.contains(f.getKey())) {
                    continue;
                }
                String d = diff(f.getValue(), live.get(f.getKey()), path.isEmpty() ? f.getKey() : path + "."
                    + f.getKey());
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (want.isArray()) {
            if (!live.isArray() || live.size() != want.size()) {
                return path;
            }
            for (int i = 0; i < want.size(); i++) {
                String d = diff(want.get(i), live.get(i), path + "[" + i + "]");
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        return sameScalar(want, live) ? null : path;
    }

    /** Numbers and text compare by their text: an int-or-string field may come back as either. */
    private static boolean sameScalar(JsonNode want, JsonNode live) {
        return live != null && live.isValueNode() && want.asText().equals(live.asText());
    }

    private static boolean isZero(JsonNode n) {
        return n.isBoolean() && !n.asBoolean() || n.isNumber() && n.asDouble() == 0
            || n.isTextual() && n.asText().isEmpty() || n.isContainerNode() && n.isEmpty();
    }
}
