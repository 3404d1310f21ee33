package dev.gpuop.node.deviceplugin.health;

import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuEvent;
import dev.gpuop.gpu.GpuEventType;
import dev.gpuop.gpu.GpuException;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.GpuReadings;
import dev.gpuop.gpu.NvmlReturn;
import dev.gpuop.gpu.RemappedRows;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Feeds the {@link GpuHealthTracker} from the driver: XID events as they come (NVML's event wait, on a platform
 * thread of its own), and a poll of every GPU each interval, which both notices a GPU lost from the bus and counts
 * clean reads towards recovery. Transitions go to the listener (the device plugin resends its device list).
 */
public final class HealthMonitor implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(HealthMonitor.class.getName());

    private final GpuHost host;
    private final GpuHealthTracker tracker;
    private final Duration pollInterval;
    private final Clock clock;
    private final Consumer<HealthTransition> listener;
    private volatile boolean running;
    private GpuEventWatcher events;
    private Thread poller;

    public HealthMonitor(GpuHost host, GpuHealthTracker tracker, Duration pollInterval, Clock clock,
                         Consumer<HealthTransition> listener) {
        this.host = host;
        this.tracker = tracker;
        this.pollInterval = pollInterval;
        this.clock = clock;
        this.listener = listener;
    }

    /** Starts the event and poll threads. */
    public synchronized void start(boolean watchXids) {
        running = true;
        if (watchXids) {
            events = new GpuEventWatcher(host, EnumSet.of(GpuEventType.XID_CRITICAL_ERROR), this::onEvent,
                "gpuop-xid-events");
            events.start();
        }
        poller = Thread.ofPlatform().daemon().name("gpuop-health-poll").start(() -> {
            while (running) {
                pollOnce();
                sleep(pollInterval);
            }
        });
    }

    /**
     * Whether XIDs arrive as events: {@code "watched"} for every GPU, else what is missing and why; null until the
     * event thread has opened its stream or when XIDs are not watched.
     */
    public String xidEvents() {
        return events == null ? null : events.state();
    }

    /** Applies one event. */
    public void onEvent(GpuEvent e) {
        if (e.isXid()) {
            emit(tracker.onXid(e.gpuUuid(), e.data(), clock.instant()));
        }
    }

    /** Reads every GPU once. */
    public void pollOnce() {
        List<Gpu> gpus = host.gpus();
        for (Gpu gpu : gpus) {
            String uuid = gpu.info().uuid();
            try {
                gpu.uuid();
                gpu.memory();
                RemappedRows rows = GpuReadings.orNull(gpu::remappedRows);
                if (rows != null && (rows.pending() || rows.failed())) {
                    emit(tracker.onReadFailure(uuid, rows.failed() ? "row remapping failed"
                        : "row remapping pending a GPU reset", rows.failed(), clock.instant()));
                } else {
                    emit(tracker.onCleanRead(uuid, clock.instant()));
                }
            } catch (GpuException ex) {
                boolean lost = ex.code() == NvmlReturn.ERROR_GPU_IS_LOST;
                emit(tracker.onReadFailure(uuid, ex.getMessage(), lost, clock.instant()));
            }
        }
    }

    private void emit(Optional<HealthTransition> t) {
        t.ifPresent(tr -> {
            LOG.log(tr.healthy() ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
                "GPU {0} is now {1}: {2}", tr.gpuUuid(), tr.healthy() ? "Healthy" : "Unhealthy", tr.reason());
            listener.accept(tr);
        });
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Stops both threads; returns once the event thread has freed its event set, so the host may shut down. */
    @Override
    public synchronized void close() {
        running = false;
        if (poller != null) {
            poller.interrupt();
        }
        if (events != null) {
            events.close();
        }
    }
}
