package dev.gpuop.gpu;

import java.time.Duration;
import java.util.Optional;

/** A subscription to driver events; one reader at a time. */
public interface GpuEventStream extends AutoCloseable {

    /** Waits up to {@code timeout} for the next event; empty when none came. */
    Optional<GpuEvent> next(Duration timeout);

    /**
     * The GPUs this stream will never deliver events for, by UUID, each with the driver's reason (for instance
     * {@code NVML_ERROR_NOT_SUPPORTED} from a VM that hides them); empty when every GPU is watched.
     */
    default java.util.Map<String, String> unwatched() {
        return java.util.Map.of();
    }

    @Override
    void close();
}
