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
        return apply(doc, PropertyCheck.elements(paths(doc)).next(r), r, values, otherKeys);
    }

    /** Changes the document in place at the path (or next to it); see {@link #applySomewhere}. */
    @SuppressWarnings("unchecked")
    public static DocumentMutation apply(Object doc, String path, Random r, PropertyCheck.Gen<?> values,
                                         List<String> otherKeys) {
        List<String> segments = segments(path);
        Object parent = doc;
        for (String s : segments.subList(0, segments.size() - 1)) {
            parent = parent instanceof Map<?, ?> m ? m.get(s) : ((List<?>) parent).get(Integer.parseInt(s));
        }
        String last = segments.getLast();
        String parentPath = path.substring(0, Math.max(0, path.length() - last.length()
            - (path.endsWith("]") ? 2 : 1)));
        Object value = values.next(r);
        if (parent instanceof Map<?, ?> m) {
            Map<String, Object> map = (Map<String, Object>) m;
            switch (r.nextInt(6)) {
                case 0 -> {
                    map.remove(last);
                    return new DocumentMutation("removed", path);
                }
                case 1 -> {
                    String key = PropertyCheck.elements(otherKeys).next(r);
                    map.put(key, value);
                    return new DocumentMutation("set " + key + " next to it to " + value, parentPath);
                }
                default -> {
                    map.put(last, value);
                    return new DocumentMutation("set to " + value, path);
                }
            }
        }
        List<Object> list = (List<Object>) parent;
        int i = Integer.parseInt(last);
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
        List<String> out = new ArrayList<>();
        collect(doc, "", out);
        return out;
    }

    private static void collect(Object node, String at, List<String> out) {
        if (!at.isEmpty()) {
            out.add(at);
        }
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> collect(v, at.isEmpty() ? String.valueOf(k) : at + "." + k, out));
        } else if (node instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                collect(l.get(i), at + "[" + i + "]", out);
            }
        }
    }

    /** The segments of a path: keys, and list indexes without their brackets. */
    static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        for (String part : path.split("\\.")) {
            Matcher m = SEGMENT.matcher(part);
            while (m.find()) {
                out.add(m.group(1) != null ? m.group(1) : m.group(2));
            }
        }
        return out;
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
