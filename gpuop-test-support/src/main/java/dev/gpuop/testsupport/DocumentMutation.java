package dev.gpuop.testsupport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One change to a parsed YAML or JSON document (nested maps and lists), for property tests that start from a valid
 * document and check that every single change is either accepted or refused naming the field it touched. Paths are
 * spelled as the refusals spell them: {@code sharing.mps.resources[0].name}.
 *
 * @param how  what was done, for the failure report
 * @param path the path a refusal of the change should name
 */
public record DocumentMutation(String how, String path) {

    /** A key, or a list index in brackets. */
    private static final Pattern SEGMENT = Pattern.compile("\\[(\\d+)]|([^\\[]+)");

    /**
     * Changes the document in place at one of its paths, drawn at random: a map entry removed, set to a drawn value,
     * or a drawn key added next to it; a list entry set, a null inserted before it, or the entry duplicated at the
     * end.
     *
     * @param values    the values a change sets
     * @param otherKeys the keys an added entry may have (unknown ones, mistyped known ones)
     */
    public static DocumentMutation applySomewhere(Object doc, Random r, PropertyCheck.Gen<?> values,
                                                  List<String> otherKeys) {
        List<List<Object>> all = new ArrayList<>();
        collect(doc, new ArrayList<>(), all);
        return apply(doc, all.get(r.nextInt(all.size())), r, values, otherKeys);
    }

    /**
     * Changes the document in place at the path (or next to it); see {@link #applySomewhere}. The path is split at
     * dots and brackets, so a key with a dot in it is reached only through {@link #applySomewhere}.
     */
    public static DocumentMutation apply(Object doc, String path, Random r, PropertyCheck.Gen<?> values,
                                         List<String> otherKeys) {
        List<Object> segments = new ArrayList<>();
        for (String part : path.split("\\.")) {
            Matcher m = SEGMENT.matcher(part);
            while (m.find()) {
                segments.add(m.group(1) != null ? (Object) Integer.valueOf(m.group(1)) : new Key(m.group(2)));
            }
        }
        return apply(doc, segments, r, values, otherKeys);
    }

    /** Changes the value at the segments (keys and list indexes). */
    @SuppressWarnings("unchecked")
    private static DocumentMutation apply(Object doc, List<Object> segments, Random r, PropertyCheck.Gen<?> values,
                                          List<String> otherKeys) {
        Object parent = doc;
        for (Object s : segments.subList(0, segments.size() - 1)) {
            parent = s instanceof Key k ? ((Map<?, ?>) parent).get(k.key()) : ((List<?>) parent).get((Integer) s);
        }
        Object last = segments.getLast();
        String path = spell(segments);
        String parentPath = spell(segments.subList(0, segments.size() - 1));
        Object value = values.next(r);
        if (parent instanceof Map<?, ?> m) {
            Map<Object, Object> map = (Map<Object, Object>) m;
            switch (r.nextInt(6)) {
                case 0 -> {
                    map.remove(((Key) last).key());
                    return new DocumentMutation("removed", path);
                }
                case 1 -> {
                    String key = PropertyCheck.elements(otherKeys).next(r);
                    map.put(key, value);
                    return new DocumentMutation("set " + key + " next to it to " + value, parentPath);
                }
                default -> {
                    map.put(((Key) last).key(), value);
                    return new DocumentMutation("set to " + value, path);
                }
            }
        }
        List<Object> list = (List<Object>) parent;
        int i = (Integer) last;
        switch (r.nextInt(4)) {
            case 0 -> {
                list.add(i, null);
                return new DocumentMutation("null inserted", path);
            }
            case 1 -> {
                list.add(deepCopy(list.get(i)));
                return new DocumentMutation("entry duplicated at the end", parentPath);
            }
            default -> {
                list.set(i, value);
                return new DocumentMutation("entry set to " + value, path);
            }
        }
    }

    /** Every path in the document, depth first. */
    public static List<String> paths(Object doc) {
        List<List<Object>> all = new ArrayList<>();
        collect(doc, new ArrayList<>(), all);
        return all.stream().map(DocumentMutation::spell).toList();
    }

    private static void collect(Object node, List<Object> at, List<List<Object>> out) {
        if (!at.isEmpty()) {
            out.add(List.copyOf(at));
        }
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                at.add(new Key(k));
                collect(v, at, out);
                at.removeLast();
            });
        } else if (node instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                at.add(i);
                collect(l.get(i), at, out);
                at.removeLast();
            }
        }
    }

    /** A map key in a path (a list index is an Integer): keys need not be text, YAML's {@code 0: x} has a number. */
    private record Key(Object key) {
    }

    /** {@code a.b[0].c}. */
    private static String spell(List<Object> segments) {
        StringBuilder b = new StringBuilder();
        for (Object s : segments) {
            if (s instanceof Integer i) {
                b.append('[').append(i).append(']');
            } else {
                b.append(b.isEmpty() ? "" : ".").append(((Key) s).key());
            }
        }
        return b.toString();
    }

    /** A copy of nested maps and lists that shares no map or list with the original (scalars are immutable). */
    public static Object deepCopy(Object node) {
        if (node instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k, deepCopy(v)));
            return out;
        }
        if (node instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(v -> out.add(deepCopy(v)));
            return out;
        }
        return node;
    }
}
