package dev.gpuop.node.deviceplugin.health;

import dev.gpuop.gpu.GpuEvent;
import dev.gpuop.gpu.GpuEventStream;
import dev.gpuop.gpu.GpuEventType;
import dev.gpuop.gpu.GpuException;
import dev.gpuop.gpu.GpuHost;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Driver events on a platform thread of their own (NVML's wait blocks in the driver), handed to a consumer. The
 * health monitor and the GPU metrics each run one, so either part works without the other.
 *
 * <p>NVML's wait does not return on a thread interrupt, so {@link #close()} waits for the thread to free its event
 * set: freed after the host's {@code nvmlShutdown}, the free failed with {@code NVML_ERROR_UNINITIALIZED} and read as
 * if events had never worked (the H200 run of 2026-12-04).
 */
public final class GpuEventWatcher implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(GpuEventWatcher.class.getName());

    /** {@link #state()} when every GPU delivers the events. */
    public static final String WATCHED = "watched";
    /** How long one wait blocks; {@link #close()} may wait about this long for the thread. */
    static final Duration EVENT_WAIT = Duration.ofSeconds(1);

    private final GpuHost host;
    private final Set<GpuEventType> types;
    private final Consumer<GpuEvent> consumer;
    private final String name;
    private volatile boolean running;
    private volatile String state;
    private Thread thread;

    public GpuEventWatcher(GpuHost host, Set<GpuEventType> types, Consumer<GpuEvent> consumer, String name) {
        this.host = host;
        this.types = Set.copyOf(types);
        this.consumer = consumer;
        this.name = name;
    }

    /** Starts the thread. */
    public synchronized void start() {
        running = true;
        thread = Thread.ofPlatform().daemon().name(name).start(this::loop);
    }

    /**
     * Whether events arrive: {@link #WATCHED} for every GPU, else what is missing and why; null until the thread has
     * opened its stream.
     */
    public String state() {
        return state;
    }

    private void loop() {
        GpuEventStream stream;
        try {
            stream = host.events(types);
        } catch (GpuException e) {
            state = "unavailable: " + e.getMessage();
            LOG.log(System.Logger.Level.WARNING, "{0}: events unavailable, polling only: {1}", name, e.getMessage());
            return;
        }
        Map<String, String> unwatched = stream.unwatched();
        state = unwatched.isEmpty() ? WATCHED : "unwatched GPUs (polling only): " + unwatched;
        if (!unwatched.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "{0}: no events from some GPUs, polling only for them: {1}", name,
                unwatched);
        }
        try {
            while (running) {
                stream.next(EVENT_WAIT).ifPresent(consumer);
            }
        } catch (GpuException e) {
            state = "stopped: " + e.getMessage();
            LOG.log(System.Logger.Level.WARNING, "{0}: events stopped, polling only: {1}", name, e.getMessage());
        } finally {
            try {
                stream.close();
            } catch (GpuException e) {
                LOG.log(System.Logger.Level.WARNING, "{0}: event set not freed: {1}", name, e.getMessage());
            }
        }
    }

    /** Stops the thread and returns once it has freed its event set, so that the host may shut down. */
    @Override
    public synchronized void close() {
        running = false;
        if (thread == null) {
            return;
        }
        thread.interrupt();
        try {
            if (!thread.join(EVENT_WAIT.multipliedBy(3))) {
                LOG.log(System.Logger.Level.WARNING, "{0}: the event thread did not stop within {1}", name,
                    EVENT_WAIT.multipliedBy(3));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
