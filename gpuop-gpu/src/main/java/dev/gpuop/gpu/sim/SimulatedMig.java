package dev.gpuop.gpu.sim;

import dev.gpuop.gpu.GpuArchitecture;
import dev.gpuop.gpu.GpuException;
import dev.gpuop.gpu.MigDevice;
import dev.gpuop.gpu.MigMode;
import dev.gpuop.gpu.MigProfiles;
import dev.gpuop.gpu.NvmlReturn;
import dev.gpuop.gpu.mig.GpuInstance;
import dev.gpuop.gpu.mig.MigActivation;
import dev.gpuop.gpu.mig.MigControl;
import dev.gpuop.gpu.mig.MigLayout;
import dev.gpuop.gpu.mig.MigProfile;
import dev.gpuop.gpu.mig.MigProfileTable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The MIG state of one simulated GPU, as the hardware holds it across driver opens, with NVML's rules: a mode
 * change is pending until the GPU is reset, which {@code nvmlDeviceSetMigMode} does itself unless a process holds
 * the GPU ({@code IN_USE}) or the platform exposes no reset ({@code RESET_REQUIRED}, until the host reboots);
 * instances only at their profile's placements, never overlapping, within the profile's count, the GPU's compute
 * slices and its one set of media engines; nothing destroyed while a process runs on the GPU (processes are
 * counted per GPU, not per instance). Each call takes the fixture's latency.
 */
final class SimulatedMig implements MigControl {

    /** More GPU instances than any GPU holds. */
    private static final int MAX_INSTANCES = 64;

    private final String gpuUuid;
    private final long totalBytes;
    private final GpuArchitecture architecture;
    private final List<MigProfile> table;
    private final FixtureMigDriver driver;
    private boolean current;
    private boolean pending;
    /** Instance by GPU-instance id, with the MIG device the fixture gave it, or null for one created here. */
    private final Map<GpuInstance, MigDevice> instances = new LinkedHashMap<>();
    private int processes;

    private SimulatedMig(String gpuUuid, long totalBytes, GpuArchitecture architecture, List<MigProfile> table,
                         FixtureMigDriver driver, MigMode mode) {
        this.gpuUuid = gpuUuid;
        this.totalBytes = totalBytes;
        this.architecture = architecture;
        this.table = table;
        this.driver = driver;
        this.current = mode.current();
        this.pending = mode.pending();
    }

    /**
     * The MIG state of a fixture GPU: its mode, and its MIG devices placed where NVML would have put them (the
     * fixture names no placements); null for a GPU without MIG.
     */
    static SimulatedMig of(FixtureGpu gpu, List<MigDevice> fixtureDevices, FixtureMigDriver driver) {
        long total = gpu.memoryTotalMiB() << 20;
        List<MigProfile> table = MigProfileTable.forGpu(gpu.name(), total).orElse(null);
        if (gpu.migMode() == null || table == null) {
            return null;
        }
        SimulatedMig mig = new SimulatedMig(gpu.uuid(), total, gpu.architecture(), table, driver, gpu.migMode());
        Map<String, Integer> wanted = new LinkedHashMap<>();
        fixtureDevices.forEach(d -> wanted.merge(d.profile(), 1, Integer::sum));
        MigLayout.Result placed = MigLayout.place(table, wanted);
        if (placed.problem().isPresent()) {
            throw new IllegalArgumentException("fixture GPU " + gpu.uuid() + ": its MIG devices do not fit: "
                + placed.problem().get());
        }
        List<MigLayout.Placement> free = new ArrayList<>(placed.placements());
        for (MigDevice d : fixtureDevices) {
            MigLayout.Placement p = free.stream().filter(x -> x.profile().name().equals(d.profile())).findFirst()
                .orElseThrow();
            free.remove(p);
            mig.instances.put(new GpuInstance(d.gpuInstanceId(), p.profile().nvmlProfileId(), p.start(),
                p.profile().memorySlices(), 0), d);
        }
        return mig;
    }

    @Override
    public synchronized MigMode mode() {
        return new MigMode(current, pending);
    }

    @Override
    public synchronized MigActivation setMode(boolean enabled) {
        pause(driver.setModeMillis());
        pending = enabled;
        NvmlReturn status = NvmlReturn.SUCCESS;
        if (current != enabled) {
            if (processes > 0) {
                status = NvmlReturn.ERROR_IN_USE;
            } else if (!driver.resetExposedOrDefault()) {
                status = NvmlReturn.ERROR_RESET_REQUIRED;
            } else {
                current = enabled;
                instances.clear();
            }
        }
        return new MigActivation(mode(), status);
    }

    /** The GPU reset a reboot brings: a pending mode becomes current; instances do not survive it. */
    synchronized void reset() {
        current = pending;
        instances.clear();
    }

    synchronized void processes(int count) {
        processes = count;
    }

    @Override
    public synchronized List<GpuInstance> gpuInstances() {
        return instances.keySet().stream().map(g -> new GpuInstance(g.id(), g.nvmlProfileId(), g.start(), g.size(),
            processes)).sorted(Comparator.comparingInt(GpuInstance::start)).toList();
    }

    @Override
    public synchronized GpuInstance create(MigProfile profile, int start) {
        String call = "nvmlDeviceCreateGpuInstanceWithPlacement";
        pause(driver.createMillis());
        if (!current) {
            throw new GpuException(call, NvmlReturn.ERROR_NOT_SUPPORTED, "MIG mode is off");
        }
        MigProfile own = table.stream().filter(p -> p.nvmlProfileId() == profile.nvmlProfileId()).findFirst()
            .orElseThrow(() -> new GpuException(call, NvmlReturn.ERROR_INVALID_ARGUMENT, "profile id "
                + profile.nvmlProfileId() + " is not one this GPU offers"));
        if (!own.placementStarts().contains(start)) {
            throw new GpuException(call, NvmlReturn.ERROR_INVALID_ARGUMENT, own.name() + " cannot start at slice "
                + start);
        }
        List<MigProfile> existing = instances.keySet().stream().map(this::profileOf).toList();
        boolean overlaps = instances.keySet().stream()
            .anyMatch(g -> start < g.start() + g.size() && g.start() < start + own.memorySlices());
        long same = existing.stream().filter(p -> p.nvmlProfileId() == own.nvmlProfileId()).count();
        int compute = existing.stream().mapToInt(MigProfile::computeSlices).sum() + own.computeSlices();
        boolean media = own.mediaExtensions() && existing.stream().anyMatch(MigProfile::mediaExtensions);
        if (overlaps || same >= own.maxInstances() || compute > MigProfileTable.computeSlicesOf(table) || media) {
            throw new GpuException(call, NvmlReturn.ERROR_INSUFFICIENT_RESOURCES, own.name() + " at slice " + start);
        }
        int id = 1;
        while (idTaken(id)) {
            id++;
        }
        GpuInstance created = new GpuInstance(id, own.nvmlProfileId(), start, own.memorySlices(), 0);
        instances.put(created, null);
        return created;
    }

    private boolean idTaken(int id) {
        return instances.keySet().stream().anyMatch(g -> g.id() == id);
    }

    @Override
    public synchronized void destroy(GpuInstance instance) {
        pause(driver.destroyMillis());
        GpuInstance own = instances.keySet().stream().filter(g -> g.id() == instance.id()).findFirst()
            .orElseThrow(() -> new GpuException("nvmlGpuInstanceDestroy", NvmlReturn.ERROR_NOT_FOUND,
                "GPU instance " + instance.id()));
        if (processes > 0) {
            throw new GpuException("nvmlGpuInstanceDestroy", NvmlReturn.ERROR_IN_USE, processes
                + " process(es) on the GPU");
        }
        instances.remove(own);
    }

    @Override
    public synchronized int processes() {
        return processes;
    }

    /** The MIG devices the instances make, one per instance (its compute instance spans it), with MIG on. */
    synchronized List<MigDevice> devices() {
        if (!current) {
            return List.of();
        }
        // the fixture's devices keep their order; created ones follow by GPU-instance id, as NVML lists them
        List<Map.Entry<GpuInstance, MigDevice>> sorted = new ArrayList<>(instances.entrySet());
        sorted.sort(Comparator.comparingInt(e -> e.getValue() != null ? e.getValue().index()
            : MAX_INSTANCES + e.getKey().id()));
        List<MigDevice> out = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            GpuInstance g = sorted.get(i).getKey();
            MigDevice given = sorted.get(i).getValue();
            if (given != null) {
                out.add(new MigDevice(given.uuid(), i, given.gpuInstanceId(), given.computeInstanceId(),
                    given.profile(), given.memoryMiB(), given.multiprocessorCount(), given.gpuInstanceSlices(),
                    given.computeInstanceSlices(), given.engines()));
                continue;
            }
            MigProfile p = profileOf(g);
            long mib = (totalBytes >> 20) * p.memorySlices() / MigProfileTable.memorySlicesOf(table) - 1;
            String uuid = "MIG-" + UUID.nameUUIDFromBytes((gpuUuid + "/" + g.id() + "/" + g.start())
                .getBytes(StandardCharsets.UTF_8));
            int smPerSlice = architecture == GpuArchitecture.AMPERE ? 14 : 16;
            out.add(new MigDevice(uuid, i, g.id(), 0, MigProfiles.name(p.computeSlices(), p.computeSlices(), mib,
                totalBytes), mib, p.computeSlices() * smPerSlice, p.computeSlices(), p.computeSlices(),
                MigDevice.Engines.NONE));
        }
        return out;
    }

    private MigProfile profileOf(GpuInstance g) {
        return table.stream().filter(p -> p.nvmlProfileId() == g.nvmlProfileId()).findFirst().orElseThrow();
    }

    private static void pause(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GpuException("nvmlDeviceSetMigMode", NvmlReturn.ERROR_UNKNOWN, "interrupted");
        }
    }
}
