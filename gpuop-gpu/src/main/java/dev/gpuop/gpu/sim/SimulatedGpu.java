package dev.gpuop.gpu.sim;

import dev.gpuop.gpu.ComputeCapability;
import dev.gpuop.gpu.EccErrors;
import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuException;
import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.MemoryInfo;
import dev.gpuop.gpu.MigDevice;
import dev.gpuop.gpu.MigProfiles;
import dev.gpuop.gpu.NvLinkPeer;
import dev.gpuop.gpu.NvmlReturn;
import dev.gpuop.gpu.RemappedRows;
import dev.gpuop.gpu.Utilization;
import dev.gpuop.gpu.mig.MigProfile;
import dev.gpuop.gpu.mig.MigControl;
import dev.gpuop.gpu.mig.MigProfileInfo;
import dev.gpuop.gpu.mig.MigProfileTable;
import java.util.ArrayList;
import java.util.List;

/** One GPU of a {@link SimulatedGpuHost}: readings from the fixture, failures from its faults. */
final class SimulatedGpu implements Gpu {

    private static final long MIB = 1L << 20;

    private final SimulatedGpuHost host;
    private final int index;
    private final FixtureGpu gpu;
    private final GpuInfo info;
    /** The GPU's MIG state, which outlives this open of the driver; null without MIG. */
    private final SimulatedMig mig;

    SimulatedGpu(SimulatedGpuHost host, int index, FixtureGpu gpu, List<NvLinkPeer> peers, SimulatedMig mig) {
        this.host = host;
        this.index = index;
        this.gpu = gpu;
        long total = gpu.memoryTotalMiB() * MIB;
        List<MigDevice> migs = fixtureMigDevices(gpu);
        String[] cc = gpu.computeCapability().split("\\.");
        this.info = new GpuInfo(index, gpu.minorNumber() == null ? index : gpu.minorNumber(), gpu.uuid(),
            gpu.name(), gpu.pciBusId(), Integer.parseUnsignedInt(gpu.pciDeviceId().substring(2), 16), total,
            new ComputeCapability(Integer.parseInt(cc[0]), Integer.parseInt(cc[1])), gpu.architecture(),
            gpu.migMode(), migs, peers);
        this.mig = mig;
    }

    /** The fixture's MIG devices, from which the hardware's MIG state starts. */
    static List<MigDevice> fixtureMigDevices(FixtureGpu gpu) {
        List<MigDevice> migs = new ArrayList<>();
        long total = gpu.memoryTotalMiB() * MIB;
        for (int i = 0; i < gpu.migDevices().size(); i++) {
            FixtureGpu.FixtureMigDevice m = gpu.migDevices().get(i);
            migs.add(new MigDevice(m.uuid(), i, m.gpuInstanceId(), m.computeInstanceId(),
                MigProfiles.name(m.gpuInstanceSlices(), m.computeInstanceSlices(), m.memoryMiB(), total),
                m.memoryMiB(), m.multiprocessorCount(), m.gpuInstanceSlices(), m.computeInstanceSlices(),
                m.engines() == null ? MigDevice.Engines.NONE : m.engines()));
        }
        return migs;
    }

    /** When this GPU falls off the bus, in ms after open; -1 if never. */
    long lostAtMillis() {
        return host.fixture().faults().fallOffBus().stream().filter(f -> f.gpu() == index)
            .mapToLong(Faults.BusFault::atMillis).min().orElse(-1);
    }

    /** Fails like NVML for a lost GPU, a closed host, or a reading the GPU lacks. */
    private FixtureGpu.Readings read(String call, String reading) {
        host.ensureOpen(call);
        long lostAt = lostAtMillis();
        if (lostAt >= 0 && host.elapsedMillis() >= lostAt) {
            throw new GpuException(call, NvmlReturn.ERROR_GPU_IS_LOST, "injected: GPU " + index + " fell off the bus");
        }
        if (gpu.unsupported().contains(reading)) {
            throw new GpuException(call, NvmlReturn.ERROR_NOT_SUPPORTED, null);
        }
        return gpu.readings();
    }

    /** As the driver reports it now: the MIG mode and devices follow the GPU's MIG state. */
    @Override
    public GpuInfo info() {
        if (mig == null) {
            return info;
        }
        return new GpuInfo(info.index(), info.minorNumber(), info.uuid(), info.name(), info.pciBusId(),
            info.pciDeviceId(), info.memoryTotalBytes(), info.computeCapability(), info.architecture(), mig.mode(),
            mig.devices(), info.nvLinkPeers());
    }

    @Override
    public MigControl migControl() {
        host.ensureOpen("nvmlDeviceSetMigMode");
        if (mig == null) {
            return Gpu.super.migControl();
        }
        return mig;
    }

    /** What the driver would say, from gpuop's own tables: the GPU-instance profiles of a MIG-capable model. */
    @Override
    public List<MigProfileInfo> migProfilesOffered() {
        host.ensureOpen("nvmlDeviceGetGpuInstanceProfileInfo");
        if (!info.migCapable()) {
            return List.of();
        }
        List<MigProfile> table = MigProfileTable.forGpu(info.name(), info.memoryTotalBytes()).orElse(List.of());
        int slices = MigProfileTable.memorySlicesOf(table);
        // an instance's memory is a little under its share of the GPU's, as on the real GPUs
        return table.stream().map(p -> new MigProfileInfo(p.nvmlProfileId(), p.computeSlices(), p.maxInstances(),
            info.memoryTotalMiB() * p.memorySlices() / slices - 1)).toList();
    }

    @Override
    public String uuid() {
        read("nvmlDeviceGetUUID", "uuid");
        return gpu.uuid();
    }

    @Override
    public Utilization utilization() {
        FixtureGpu.Readings r = read("nvmlDeviceGetUtilizationRates", "utilization");
        return new Utilization(r.gpuUtil(), r.memUtil());
    }

    @Override
    public MemoryInfo memory() {
        FixtureGpu.Readings r = read("nvmlDeviceGetMemoryInfo_v2", "memory");
        long total = gpu.memoryTotalMiB() * MIB;
        long reserved = r.reservedMiB() * MIB;
        long used = r.usedMiB() * MIB;
        return new MemoryInfo(total, reserved, total - reserved - used, used);
    }

    @Override
    public int temperatureCelsius() {
        return read("nvmlDeviceGetTemperature", "temperature").temperature();
    }

    @Override
    public int powerMilliwatts() {
        return read("nvmlDeviceGetPowerUsage", "power").powerMw();
    }

    @Override
    public long totalEnergyMillijoules() {
        return read("nvmlDeviceGetTotalEnergyConsumption", "energy").energyMj();
    }

    @Override
    public int smClockMhz() {
        return read("nvmlDeviceGetClockInfo", "smClock").smClock();
    }

    @Override
    public int memoryClockMhz() {
        return read("nvmlDeviceGetClockInfo", "memClock").memClock();
    }

    @Override
    public EccErrors eccErrors() {
        FixtureGpu.Readings r = read("nvmlDeviceGetTotalEccErrors", "ecc");
        return new EccErrors(r.eccCorrected(), r.eccUncorrected(), r.eccCorrected(), r.eccUncorrected());
    }

    @Override
    public RemappedRows remappedRows() {
        FixtureGpu.Readings r = read("nvmlDeviceGetRemappedRows", "remappedRows");
        return new RemappedRows(r.remappedCorrected(), r.remappedUncorrected(), false, false);
    }

    @Override
    public int memoryTemperatureCelsius() {
        Integer t = read("nvmlDeviceGetFieldValues", "memoryTemperature").memoryTemperature();
        if (t == null) {
            throw new GpuException("nvmlDeviceGetFieldValues(NVML_FI_DEV_MEMORY_TEMP)", NvmlReturn.ERROR_NOT_SUPPORTED,
                null);
        }
        return t;
    }

    @Override
    public int encoderUtilization() {
        return read("nvmlDeviceGetEncoderUtilization", "encUtil").encUtil();
    }

    @Override
    public int decoderUtilization() {
        return read("nvmlDeviceGetDecoderUtilization", "decUtil").decUtil();
    }

    @Override
    public int pcieReplayCounter() {
        return read("nvmlDeviceGetPcieReplayCounter", "pcieReplay").pcieReplay();
    }

    @Override
    public long throttleReasons() {
        return read("nvmlDeviceGetCurrentClocksEventReasons", "throttleReasons").throttleReasons();
    }
}
