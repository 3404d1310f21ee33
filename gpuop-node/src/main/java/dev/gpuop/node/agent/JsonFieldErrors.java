package dev.gpuop.node.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.Collection;
import java.util.Map;
import java.util.TreeSet;

/**
 * A Jackson mapping failure as a user reads it: the field's path and what is allowed there
 * ({@code spec.devicePlugin.enabeld: unknown field; allowed: args, config, enabled, ...}), instead of Jackson's
 * message, which names Java classes and ends in {@code at [Source: UNKNOWN; byte offset: #UNKNOWN] (through
 * reference chain: ...)}. Used for the node agent's config and for the ClusterPolicy files the CLI reads.
 */
public final class JsonFieldErrors {

    private JsonFieldErrors() {
    }

    /** The field's path and the problem, or null when {@code t} holds no Jackson mapping failure. */
    public static String describe(Throwable t) {
        JsonMappingException m = null;
        for (Throwable c = t; c != null && m == null; c = c.getCause()) {
            if (c instanceof JsonMappingException j) {
                m = j;
            }
        }
        if (m == null) {
            return null;
        }
        String path = path(m);
        if (m instanceof UnrecognizedPropertyException u) {
            Collection<Object> known = u.getKnownPropertyIds();
            return path + ": unknown field" + (known == null || known.isEmpty() ? ""
                : "; allowed: " + String.join(", ", new TreeSet<>(known.stream().map(String::valueOf).toList())));
        }
        if (m instanceof InvalidFormatException f) {
            return path + ": '" + printable(String.valueOf(f.getValue())) + "' is not " + kind(f.getTargetType());
        }
        if (m instanceof MismatchedInputException mi && mi.getTargetType() != null) {
            return path + ": expected " + kind(mi.getTargetType());
        }
        String original = m.getOriginalMessage();
        return path + ": " + (original == null ? m.getClass().getSimpleName() : printable(original.lines()
            .findFirst().orElse(original)));
    }

    /**
     * A parser's complaint on one line, with its line number: SnakeYAML's runs over several lines, quotes the text
     * around the error (control characters included) and points at it with a caret, which a condition or a log
     * line cannot show; what is kept is what went wrong ({@code mapping values are not allowed here (line 3)}).
     */
    public static String syntax(JsonProcessingException e) {
        String original = String.valueOf(e.getOriginalMessage());
        String problem = String.join("; ", original.lines()
            .filter(l -> !l.isBlank() && !l.startsWith(" ") && !l.startsWith("\t")).toList());
        return printable(problem.isEmpty() ? original.strip() : problem)
            + (e.getLocation() == null || e.getLocation().getLineNr() < 1 ? ""
                : " (line " + e.getLocation().getLineNr() + ")");
    }

    /** The text with control characters escaped, so that a value from the file cannot break or rewrite a line. */
    public static String printable(String text) {
        StringBuilder b = new StringBuilder(text.length());
        text.chars().forEach(c -> b.append(Character.isISOControl(c) ? String.format("\\u%04x", c)
            : String.valueOf((char) c)));
        return b.toString();
    }

    /** {@code a.b[2].c}, from Jackson's reference chain. */
    static String path(JsonMappingException m) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : m.getPath()) {
            if (r.getFieldName() != null) {
                if (!b.isEmpty()) {
                    b.append('.');
                }
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.isEmpty() ? "(the document)" : b.toString();
    }

    /** What a value of a Java type looks like in YAML. */
    static String kind(Class<?> type) {
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
            || type == Short.class || type == short.class) {
            return "a whole number";
        }
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
            return "a number";
        }
        if (type == String.class) {
            return "text";
        }
        if (type.isEnum()) {
            return "one of " + String.join(", ", java.util.Arrays.stream(type.getEnumConstants())
                .map(String::valueOf).toList());
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type) || !type.isPrimitive()) {
            return "a mapping";
        }
        return type.getSimpleName();
    }
}
