package dev.gpuop.operator.controller;

import java.util.concurrent.atomic.AtomicInteger;

/** Reads and writes one reconcile made, for the log, the metrics and the scale benchmark's zero-write check. */
final class ApiCalls {

    private final AtomicInteger reads = new AtomicInteger();
    private final AtomicInteger writes = new AtomicInteger();

    void read() {
        reads.incrementAndGet();
    }

    void write() {
        writes.incrementAndGet();
    }

    int reads() {
        return reads.get();
    }

    int writes() {
        return writes.get();
    }
}
