package dev.gpuop.api.v1alpha1;

/**
 * One operand's state.
 *
 * @param name the operand ({@code node-agent}, {@code driver}, ...)
 * @param state its state
 * @param message why it is not ready, or a short summary
 */
public record OperandStatus(String name, ComponentState state, String message) {
}
