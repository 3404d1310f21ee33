package dev.gpuop.operator.model;

/**
 * Something in a policy the schema accepted but gpuop cannot honour.
 *
 * @param field the field's path from the object's root, e.g. {@code spec.mig.strategy}
 * @param message what is wrong and what would be accepted
 */
public record PolicyProblem(String field, String message) {

    /**
     * Values quoted from the policy may hold any character, and a status condition, an event or a log line is shown
     * as one line: a newline or an escape sequence from the policy must not break or rewrite it.
     */
    public PolicyProblem {
        field = printable(field);
        message = printable(message);
    }

    /** The text with control characters escaped ({@code \\u001b}). */
    static String printable(String text) {
        if (text == null || text.chars().noneMatch(Character::isISOControl)) {
            return text;
        }
        StringBuilder b = new StringBuilder(text.length() + 8);
        text.chars().forEach(c -> b.append(Character.isISOControl(c) ? String.format("\\u%04x", c)
            : String.valueOf((char) c)));
        return b.toString();
    }

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
