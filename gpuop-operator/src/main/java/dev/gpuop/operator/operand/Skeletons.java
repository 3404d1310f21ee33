package dev.gpuop.operator.operand;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Loads the YAML skeletons under {@code operands/<operand>/} on the classpath into typed objects. Skeletons carry
 * only what never depends on the policy; each load is a fresh copy the operand may change.
 */
final class Skeletons {

    private Skeletons() {
    }

    /** A fresh typed copy of one skeleton. */
    static <T> T load(String path, Class<T> type) {
        String resource = "/operands/" + path;
        try (InputStream in = Skeletons.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("skeleton " + resource + " is missing from the jar");
            }
            return Serialization.unmarshal(in, type);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read skeleton " + resource, e);
        }
    }

    /** A fresh copy of a skeleton of a Kubernetes kind. */
    static HasMetadata load(String path) {
        return load(path, HasMetadata.class);
    }
}
