package dev.gpuop.node.deviceplugin.model;

/** A request the plugin must refuse (unknown device, too many shared replicas); sent to the kubelet as is. */
public class AllocationException extends RuntimeException {

    public AllocationException(String message) {
        super(message);
    }
}
