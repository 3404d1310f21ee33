package dev.gpuop.node.exporter;

import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.GpuReadings;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The slow readings of every GPU (energy, PCIe replay, ECC, remapped rows: milliseconds on some boards), read on a
 * thread of their own every interval so that a scrape only pays for the fast ones. NVML blocks its caller, so this is
 * a platform thread, not a virtual one.
 */
final class GpuSampler implements AutoCloseable {

    private final GpuHost host;
    private final Map<String, GpuReadings> slow = new ConcurrentHashMap<>();
    private volatile boolean running;
    private Thread thread;

    GpuSampler(GpuHost host) {
        this.host = host;
    }

    /** Reads once now, then every {@code interval}. */
    synchronized void start(Duration interval) {
        sampleOnce();
        running = true;
        thread = Thread.ofPlatform().daemon().name("gpuop-gpu-sampler").start(() -> {
            while (running) {
                try {
                    Thread.sleep(interval);
                } catch (InterruptedException e) {
                    return;
                }
                sampleOnce();
            }
        });
    }

    /** One pass over every GPU; a GPU in trouble keeps its last values (its health is the device plugin's job). */
    void sampleOnce() {
        for (Gpu gpu : host.gpus()) {
            try {
                slow.put(gpu.info().uuid(), GpuReadings.slow(gpu));
            } catch (RuntimeException e) {
                // left as it was: the fast pass of the next scrape reports the GPU's state
            }
        }
    }

    /** The last slow readings of a GPU, or null before the first. */
    GpuReadings slow(String uuid) {
        return slow.get(uuid);
    }

    @Override
    public synchronized void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
