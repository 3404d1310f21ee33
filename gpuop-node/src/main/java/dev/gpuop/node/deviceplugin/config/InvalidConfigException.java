package dev.gpuop.node.deviceplugin.config;

/** A device plugin config that cannot be honoured; the message names the field, the value and what is allowed. */
public class InvalidConfigException extends RuntimeException {

    public InvalidConfigException(String message) {
        super(message);
    }

    public InvalidConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
