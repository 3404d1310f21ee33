package dev.gpuop.gpu;

import java.time.Duration;
import java.util.Optional;

/** A subscription to driver events; one reader at a time. */
public interface GpuEventStream extends AutoCloseable {

    /** Waits up to {@code timeout} for the next event; empty when none came. */
    Optional<GpuEvent> next(Duration timeout);

    @Override
    void close();
}
