package dev.gpuop.operator.operand;

/**
 * What the operator knows that the policy does not say.
 *
 * @param namespace where namespaced operand objects go (the operator's own namespace)
 * @param nodeAgentImage the node agent's image when the policy names none: the operator's own image, so one image
 *     serves both
 * @param driverImage NVIDIA's driver image when the policy names none (env {@code DRIVER_IMAGE}, as NVIDIA's
 *     operator reads it), or null
 */
public record OperatorSettings(String namespace, String nodeAgentImage, String driverImage) {

    /** Settings with only the node agent's image known. */
    public OperatorSettings(String namespace, String nodeAgentImage) {
        this(namespace, nodeAgentImage, null);
    }
}
