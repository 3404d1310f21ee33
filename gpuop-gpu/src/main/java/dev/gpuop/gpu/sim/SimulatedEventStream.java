package dev.gpuop.gpu.sim;

import dev.gpuop.gpu.GpuEvent;
import dev.gpuop.gpu.GpuEventStream;
import dev.gpuop.gpu.GpuEventType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The fixture's XID faults (and XID 79 for each GPU that falls off the bus) delivered in time order once the host's
 * clock passes them. Waiting polls the clock, so a test that advances a manual clock sees the event at once.
 */
final class SimulatedEventStream implements GpuEventStream {

    /** How often a wait re-checks {@link #close()}; a closing stream is also interrupted by its reader's owner. */
    private static final long MAX_SLEEP_MILLIS = 250;

    private record Pending(int gpu, long xid, long atMillis) {
    }

    private final SimulatedGpuHost host;
    private final List<Pending> pending = new ArrayList<>();
    private volatile boolean closed;

    SimulatedEventStream(SimulatedGpuHost host, Set<GpuEventType> types) {
        this.host = host;
        if (types.contains(GpuEventType.XID_CRITICAL_ERROR)) {
            Faults f = host.fixture().faults();
            f.xidEvents().forEach(x -> pending.add(new Pending(x.gpu(), x.xid(), x.atMillis())));
            f.fallOffBus().forEach(b -> pending.add(new Pending(b.gpu(), Faults.XID_FALLEN_OFF_BUS, b.atMillis())));
            pending.sort(Comparator.comparingLong(Pending::atMillis));
        }
    }

    @Override
    public synchronized Optional<GpuEvent> next(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!closed) {
            if (!pending.isEmpty() && pending.getFirst().atMillis() <= host.elapsedMillis()) {
                Pending p = pending.removeFirst();
                String uuid = host.fixture().gpus().get(p.gpu()).uuid();
                return Optional.of(new GpuEvent(uuid, GpuEventType.XID_CRITICAL_ERROR, p.xid(), -1, -1,
                    host.clock().instant()));
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            try {
                // sleep until the next scripted event or the deadline, as nvmlEventSetWait blocks: polling every few
                // milliseconds kept a thread busy and made the JIT compile the simulator in the agent's memory runs
                long untilNext = pending.isEmpty() ? Long.MAX_VALUE
                    : pending.getFirst().atMillis() - host.elapsedMillis();
                Thread.sleep(Math.max(1, Math.min(MAX_SLEEP_MILLIS, Math.min(untilNext, left / 1_000_000))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** As NVML: freeing the set after the host's shutdown fails with {@code NVML_ERROR_UNINITIALIZED}. */
    @Override
    public void close() {
        closed = true;
        host.ensureOpen("nvmlEventSetFree");
    }
}
