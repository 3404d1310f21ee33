package dev.gpuop.node.mig;

/** A mig-parted config that cannot be applied; the message names the file or label, the field and what is wrong. */
public class InvalidMigConfigException extends RuntimeException {

    public InvalidMigConfigException(String message) {
        super(message);
    }
}
