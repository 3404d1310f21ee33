package dev.gpuop.gpu.sim;

import dev.gpuop.gpu.CudaVersion;
import dev.gpuop.gpu.DriverLibraryNotFoundException;
import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuEventStream;
import dev.gpuop.gpu.GpuEventType;
import dev.gpuop.gpu.GpuException;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.NvLinkPeer;
import dev.gpuop.gpu.NvLinkTopology;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link GpuHost} from a fixture, with its faults injected on a clock that tests control. It fails the way NVML
 * fails (same return codes, same exception types), so code above the GPU layer cannot tell it from the real thing.
 */
public final class SimulatedGpuHost implements GpuHost {

    private final GpuFixture fixture;
    private final Clock clock;
    private final Instant openedAt;
    private final List<Gpu> gpus;
    private volatile boolean closed;

    /**
     * The MIG state of the hosts opened by name in this process, per name: a MIG change outlives the driver handle
     * that made it, as on the hardware, so the node agent's next open sees the new layout. Kept only while the file
     * names the same GPUs: a fixture file rewritten with other GPUs (a driver that arrived) is other hardware.
     */
    private static final Map<String, Hardware> HARDWARE = new java.util.concurrent.ConcurrentHashMap<>();

    private record Hardware(List<FixtureGpu> gpus, List<SimulatedMig> migs) {
    }

    private final List<SimulatedMig> migs;

    private SimulatedGpuHost(GpuFixture fixture, Clock clock, List<SimulatedMig> migs) {
        this.migs = migs;
        this.fixture = fixture;
        this.clock = clock;
        this.openedAt = clock.instant();
        List<NvLinkTopology.GpuLinks> links = new ArrayList<>();
        for (int i = 0; i < fixture.gpus().size(); i++) {
            FixtureGpu g = fixture.gpus().get(i);
            List<String> remotes = new ArrayList<>();
            g.nvlinks().forEach(l -> remotes.addAll(java.util.Collections.nCopies(l.count(), l.remote())));
            links.add(new NvLinkTopology.GpuLinks(i, g.uuid(), g.pciBusId(), remotes));
        }
        Map<Integer, List<NvLinkPeer>> peers = NvLinkTopology.peers(links);
        List<Gpu> list = new ArrayList<>();
        for (int i = 0; i < fixture.gpus().size(); i++) {
            list.add(new SimulatedGpu(this, i, fixture.gpus().get(i), peers.getOrDefault(i, List.of()), migs.get(i)));
        }
        this.gpus = List.copyOf(list);
    }

    /**
     * Opens the simulated host, failing as the fixture's faults say.
     *
     * @throws DriverLibraryNotFoundException when the fixture simulates a host without NVML
     * @throws GpuException from {@code nvmlInit_v2} when the fixture injects an init failure
     */
    public static SimulatedGpuHost open(GpuFixture fixture, Clock clock) {
        return open(fixture, clock, hardwareOf(fixture));
    }

    private static SimulatedGpuHost open(GpuFixture fixture, Clock clock, List<SimulatedMig> migs) {
        Faults faults = fixture.faults();
        if (Boolean.TRUE.equals(faults.nvmlMissing())) {
            throw new DriverLibraryNotFoundException("libnvidia-ml.so.1",
                List.of("the dynamic loader (simulated host without a driver)"));
        }
        if (faults.initFailure() != null) {
            throw new GpuException("nvmlInit_v2", faults.initFailure(), "injected by the fixture");
        }
        return new SimulatedGpuHost(fixture, clock, migs);
    }

    /** The fixture's GPUs as they are when the host is powered on: the fixture's MIG modes and devices. */
    private static List<SimulatedMig> hardwareOf(GpuFixture fixture) {
        List<SimulatedMig> migs = new ArrayList<>();
        for (FixtureGpu g : fixture.gpus()) {
            migs.add(SimulatedMig.of(g, SimulatedGpu.fixtureMigDevices(g), fixture.migDriver()));
        }
        return java.util.Collections.unmodifiableList(migs);
    }

    /** Opens the driver again on the same GPUs: what a MIG change did is there, as after an agent restart. */
    public SimulatedGpuHost reopen() {
        return open(fixture, clock, migs);
    }

    /** Sets how many compute processes run on a GPU (they block MIG changes, as real ones do). */
    public void simulateProcesses(int gpu, int count) {
        require(gpu).processes(count);
    }

    /** Resets the GPUs as a reboot does: pending MIG modes become current, GPU instances are gone. */
    public void simulateReboot() {
        migs.stream().filter(java.util.Objects::nonNull).forEach(SimulatedMig::reset);
    }

    private SimulatedMig require(int gpu) {
        SimulatedMig m = migs.get(gpu);
        if (m == null) {
            throw new IllegalArgumentException("GPU " + gpu + " has no MIG");
        }
        return m;
    }

    /** Opens a shipped fixture (or a fixture file) on the system clock. */
    public static SimulatedGpuHost open(String nameOrPath) {
        GpuFixture fixture = GpuFixtures.load(nameOrPath);
        Hardware hw = HARDWARE.compute(nameOrPath, (n, old) -> old != null && old.gpus().equals(fixture.gpus())
            ? old : new Hardware(fixture.gpus(), hardwareOf(fixture)));
        return open(fixture, Clock.systemUTC(), hw.migs());
    }

    @Override
    public String driverVersion() {
        ensureOpen("nvmlSystemGetDriverVersion");
        return fixture.driverVersion();
    }

    @Override
    public CudaVersion cudaDriverVersion() {
        ensureOpen("nvmlSystemGetCudaDriverVersion_v2");
        return CudaVersion.fromInt(fixture.cudaDriverVersion());
    }

    @Override
    public List<Gpu> gpus() {
        return gpus;
    }

    @Override
    public GpuEventStream events(Set<GpuEventType> types) {
        ensureOpen("nvmlEventSetCreate");
        return new SimulatedEventStream(this, types);
    }

    @Override
    public void close() {
        closed = true;
    }

    GpuFixture fixture() {
        return fixture;
    }

    Clock clock() {
        return clock;
    }

    /** Milliseconds since open on the host's clock: the time base of the faults. */
    long elapsedMillis() {
        return clock.millis() - openedAt.toEpochMilli();
    }

    void ensureOpen(String call) {
        if (closed) {
            throw new GpuException(call, dev.gpuop.gpu.NvmlReturn.ERROR_UNINITIALIZED, "the host was closed");
        }
    }
}
