package dev.gpuop.gpu.nvml;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.gpuop.gpu.EccErrors;
import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.MemoryInfo;
import dev.gpuop.gpu.NvmlReturn;
import dev.gpuop.gpu.RemappedRows;
import dev.gpuop.gpu.Utilization;
import dev.gpuop.gpu.mig.MigProfileInfo;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A full GPU read through NVML. Each reading is one downcall into a per-thread scratch buffer and no allocation,
 * so that polling costs what the C call costs (see docs/benchmarks.md).
 */
final class NvmlGpu implements Gpu {

    /** {@code NVML_STRUCT_VERSION(Memory, 2)}: sizeof(nvmlMemory_v2_t) | 2 << 24. */
    static final int MEMORY_V2_VERSION = 0x02000028;
    private static final int UUID_BUFFER = 96;
    private static final int CLOCK_SM = 1;
    private static final int CLOCK_MEM = 2;
    private static final int FI_DEV_MEMORY_TEMP = 82;
    private static final int FIELD_VALUE_BYTES = 40;
    private static final int VALUE_DOUBLE = 0;
    private static final int VALUE_UNSIGNED_LONG = 2;
    private static final int VALUE_UNSIGNED_LONG_LONG = 3;
    private static final int VALUE_SIGNED_LONG_LONG = 4;
    private static final int VALUE_UNSIGNED_SHORT = 6;

    private final NvmlLibrary lib;
    private final MemorySegment handle;
    private volatile GpuInfo info;

    NvmlGpu(NvmlLibrary lib, MemorySegment handle) {
        this.lib = lib;
        this.handle = handle;
    }

    MemorySegment handle() {
        return handle;
    }

    void setInfo(GpuInfo info) {
        this.info = info;
    }

    @Override
    public GpuInfo info() {
        return info;
    }

    @Override
    public String uuid() {
        MemorySegment out = NvmlLibrary.scratch();
        int rc;
        try {
            rc = (int) NvmlReadingCalls.uuid.invokeExact(handle, out, UUID_BUFFER);
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceGetUUID", t);
        }
        lib.check("nvmlDeviceGetUUID", rc);
        return NvmlStrings.ascii(out, UUID_BUFFER);
    }

    @Override
    public Utilization utilization() {
        MemorySegment out = NvmlLibrary.scratch();
        int rc;
        try {
            rc = (int) NvmlReadingCalls.deviceGetUtilizationRates.invokeExact(handle, out);
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceGetUtilizationRates", t);
        }
        lib.check("nvmlDeviceGetUtilizationRates", rc);
        return new Utilization(out.get(JAVA_INT, 0), out.get(JAVA_INT, 4));
    }

    @Override
    public MemoryInfo memory() {
        MemorySegment out = NvmlLibrary.scratch();
        out.set(JAVA_INT, 0, MEMORY_V2_VERSION);
        int rc;
        try {
            rc = (int) NvmlReadingCalls.deviceGetMemoryInfoV2.invokeExact(handle, out);
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceGetMemoryInfo_v2", t);
        }
        if (rc == 0) {
            return new MemoryInfo(out.get(JAVA_LONG, 8), out.get(JAVA_LONG, 16), out.get(JAVA_LONG, 24),
                out.get(JAVA_LONG, 32));
        }
        NvmlReturn v2 = NvmlReturn.of(rc);
        if (v2 != NvmlReturn.ERROR_FUNCTION_NOT_FOUND && v2 != NvmlReturn.ERROR_ARGUMENT_VERSION_MISMATCH
            && v2 != NvmlReturn.ERROR_NOT_SUPPORTED) {
            lib.check("nvmlDeviceGetMemoryInfo_v2", rc);
        }
        return memoryV1();
    }

    /** Drivers before 510 have only v1, whose "used" includes the driver's reservation: reserved is unknown (0). */
    private MemoryInfo memoryV1() {
        MemorySegment out = NvmlLibrary.scratch();
        int rc;
        try {
            rc = (int) NvmlReadingCalls.deviceGetMemoryInfo.invokeExact(handle, out);
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceGetMemoryInfo", t);
        }
        lib.check("nvmlDeviceGetMemoryInfo", rc);
        return new MemoryInfo(out.get(JAVA_LONG, 0), 0, out.get(JAVA_LONG, 8), out.get(JAVA_LONG, 16));
    }

    @Override
    public int temperatureCelsius() {
        MemorySegment out = NvmlLibrary.scratch();
        int rc;
        try {
            rc = (int) NvmlReadingCalls.deviceGetTemperature.invokeExact(handle, 0, out);
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceGetTemperature", t);
        }
        lib.check("nvmlDeviceGetTemperature", rc);
        return out.get(JAVA_INT, 0);
    }

    @Override
    public int powerMilliwatts() {
        MemorySegment out = NvmlLibrary.scratch();
        int rc;
        try {
            rc = (int) NvmlReadingCalls.deviceGetPowerUsage.invokeExact(handle, out);
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceGetPowerUsage", t);
        }
        lib.check("nvmlDeviceGetPowerUsage", rc);
        return out.get(JAVA_INT, 0);
    }

    @Override
    public long totalEnergyMillijoules() {
        MemorySegment out = NvmlLibrary.scratch();
        int rc;
        try {
            rc = (int) NvmlReadingCalls.deviceGetTotalEnergyConsumption.invokeExact(handle, out);
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceGetTotalEnergyConsumption", t);
        }
        lib.check("nvmlDeviceGetTotalEnergyConsumption", rc);
        return out.get(JAVA_LONG, 0);
    }

    /**
     * One {@code nvmlFieldValue_t} (fieldId@0, scopeId@4, timestamp@8, latencyUsec@16, valueType@24,
     * nvmlReturn@28, value@32; 40 bytes) for {@code NVML_FI_DEV_MEMORY_TEMP}.
     */
    @Override
    public int memoryTemperatureCelsius() {
        MemorySegment out = NvmlLibrary.scratch();
        out.asSlice(0, FIELD_VALUE_BYTES).fill((byte) 0);
        out.set(JAVA_INT, 0, FI_DEV_MEMORY_TEMP);
        int rc;
        try {
            rc = (int) NvmlReadingCalls.deviceGetFieldValues.invokeExact(handle, 1, out);
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceGetFieldValues", t);
        }
        lib.check("nvmlDeviceGetFieldValues", rc);
        lib.check("nvmlDeviceGetFieldValues(NVML_FI_DEV_MEMORY_TEMP)", out.get(JAVA_INT, 28));
        return switch (out.get(JAVA_INT, 24)) {
            case VALUE_DOUBLE -> (int) Math.round(out.get(java.lang.foreign.ValueLayout.JAVA_DOUBLE, 32));
            case VALUE_UNSIGNED_LONG, VALUE_UNSIGNED_LONG_LONG, VALUE_SIGNED_LONG_LONG -> (int) out.get(JAVA_LONG, 32);
            case VALUE_UNSIGNED_SHORT -> Short.toUnsignedInt(out.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 32));
            default -> out.get(JAVA_INT, 32); // unsigned and signed int
        };
    }

    @Override
    public int encoderUtilization() {
        return codecUtilization(true);
    }

    @Override
    public int decoderUtilization() {
        return codecUtilization(false);
    }

    /** {@code nvmlDeviceGet{En,De}coderUtilization(device, *utilization, *samplingPeriodUs)}. */
    private int codecUtilization(boolean encoder) {
        MemorySegment out = NvmlLibrary.scratch();
        String call = encoder ? "nvmlDeviceGetEncoderUtilization" : "nvmlDeviceGetDecoderUtilization";
        int rc;
        try {
            rc = encoder ? (int) NvmlReadingCalls.deviceGetEncoderUtilization.invokeExact(handle, out, out.asSlice(4))
                : (int) NvmlReadingCalls.deviceGetDecoderUtilization.invokeExact(handle, out, out.asSlice(4));
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected(call, t);
        }
        lib.check(call, rc);
        return out.get(JAVA_INT, 0);
    }

    @Override
    public int smClockMhz() {
        return clock(CLOCK_SM);
    }

    @Override
    public int memoryClockMhz() {
        return clock(CLOCK_MEM);
    }

    private int clock(int type) {
        MemorySegment out = NvmlLibrary.scratch();
        int rc;
        try {
            rc = (int) NvmlReadingCalls.deviceGetClockInfo.invokeExact(handle, type, out);
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceGetClockInfo", t);
        }
        lib.check("nvmlDeviceGetClockInfo", rc);
        return out.get(JAVA_INT, 0);
    }

    @Override
    public EccErrors eccErrors() {
        return new EccErrors(ecc(0, 0), ecc(1, 0), ecc(0, 1), ecc(1, 1));
    }

    /** One counter: error type 0 corrected / 1 uncorrected, counter 0 volatile / 1 aggregate. */
    private long ecc(int errorType, int counterType) {
        MemorySegment out = NvmlLibrary.scratch();
        int rc;
        try {
            rc = (int) NvmlReadingCalls.deviceGetTotalEccErrors.invokeExact(handle, errorType, counterType, out);
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceGetTotalEccErrors", t);
        }
        lib.check("nvmlDeviceGetTotalEccErrors", rc);
        return out.get(JAVA_LONG, 0);
    }

    @Override
    public RemappedRows remappedRows() {
        MemorySegment out = NvmlLibrary.scratch();
        int rc;
        try {
            rc = (int) NvmlReadingCalls.deviceGetRemappedRows.invokeExact(handle, out, out.asSlice(4), out.asSlice(8),
                out.asSlice(12));
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceGetRemappedRows", t);
        }
        lib.check("nvmlDeviceGetRemappedRows", rc);
        return new RemappedRows(out.get(JAVA_INT, 0), out.get(JAVA_INT, 4), out.get(JAVA_INT, 8) != 0,
            out.get(JAVA_INT, 12) != 0);
    }

    @Override
    public int pcieReplayCounter() {
        MemorySegment out = NvmlLibrary.scratch();
        int rc;
        try {
            rc = (int) NvmlReadingCalls.deviceGetPcieReplayCounter.invokeExact(handle, out);
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceGetPcieReplayCounter", t);
        }
        lib.check("nvmlDeviceGetPcieReplayCounter", rc);
        return out.get(JAVA_INT, 0);
    }

    @Override
    public long throttleReasons() {
        MemorySegment out = NvmlLibrary.scratch();
        int rc;
        try {
            rc = (int) NvmlReadingCalls.deviceGetClocksEventReasons.invokeExact(handle, out);
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceGetCurrentClocksEventReasons", t);
        }
        lib.check("nvmlDeviceGetCurrentClocksEventReasons", rc);
        return out.get(JAVA_LONG, 0);
    }

    /** {@code nvmlGpuInstanceProfileInfo_t}: ten unsigned ints, then the memory in MiB at 40. */
    private static final int PROFILE_INFO_BYTES = 48;

    /** NVML's MIG calls on this GPU; NOT_SUPPORTED for a GPU without MIG. */
    @Override
    public dev.gpuop.gpu.mig.MigControl migControl() {
        if (info().migMode() == null) {
            return dev.gpuop.gpu.Gpu.super.migControl();
        }
        return new NvmlMigControl(this);
    }

    @Override
    public List<MigProfileInfo> migProfilesOffered() {
        List<MigProfileInfo> out = new ArrayList<>();
        MemorySegment info = NvmlLibrary.scratch();
        for (int id = 0; id < MigProfileInfo.NVML_PROFILE_IDS; id++) {
            info.asSlice(0, PROFILE_INFO_BYTES).fill((byte) 0);
            int rc;
            try {
                rc = (int) NvmlMigCalls.deviceGetGpuInstanceProfileInfo.invokeExact(handle, id, info);
            } catch (Throwable t) {
                throw NvmlLibrary.unexpected("nvmlDeviceGetGpuInstanceProfileInfo", t);
            }
            // a profile this GPU lacks, or a GPU without MIG, answers NOT_SUPPORTED or INVALID_ARGUMENT
            if (rc == 0) {
                out.add(new MigProfileInfo(id, info.get(JAVA_INT, 8), info.get(JAVA_INT, 12),
                    info.get(JAVA_LONG, 40)));
            }
        }
        return out;
    }
}
