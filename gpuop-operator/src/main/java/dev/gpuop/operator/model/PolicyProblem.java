package dev.gpuop.operator.model;

/**
 * Something in a policy the schema accepted but gpuop cannot honour.
 *
 * @param field the field's path from the object's root, e.g. {@code spec.mig.strategy}
 * @param message what is wrong and what would be accepted
 */
public record PolicyProblem(String field, String message) {

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
