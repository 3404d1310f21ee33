package dev.gpuop.gpu.nvml;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.gpuop.gpu.ComputeCapability;
import dev.gpuop.gpu.GpuArchitecture;
import dev.gpuop.gpu.GpuException;
import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.MigDevice;
import dev.gpuop.gpu.MigMode;
import dev.gpuop.gpu.MigProfiles;
import dev.gpuop.gpu.NvLinkPeer;
import dev.gpuop.gpu.NvmlReturn;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** Reads the static description of a GPU: identity, PCI, capabilities and MIG devices. NVLink is read per host. */
final class NvmlInfoReader {

    private static final int NAME_BUFFER = 96;
    private static final int UUID_BUFFER = 96;
    /** {@code nvmlPciInfo_t}: busId[32] at offset 36, pciDeviceId at 28. */
    private static final int PCI_INFO_BYTES = 68;
    private static final int PCI_BUS_ID_OFFSET = 36;
    private static final int PCI_DEVICE_ID_OFFSET = 28;

    private final NvmlLibrary lib;

    NvmlInfoReader(NvmlLibrary lib) {
        this.lib = lib;
    }

    /** Everything but the NVLink peers, which need all GPUs of the host. */
    GpuInfo read(NvmlGpu gpu, List<NvLinkPeer> peers) {
        MemorySegment h = gpu.handle();
        int index = uintOut(h, Call.INDEX);
        int minor = uintOut(h, Call.MINOR);
        String name = text(h, Call.NAME, NAME_BUFFER);
        String uuid = text(h, Call.UUID, UUID_BUFFER);
        MemorySegment pci = pciInfo(h);
        String busId = pci.getString(PCI_BUS_ID_OFFSET);
        int deviceId = pci.get(JAVA_INT, PCI_DEVICE_ID_OFFSET);
        long total = gpu.memory().totalBytes();
        ComputeCapability cc = computeCapability(h);
        GpuArchitecture arch = GpuArchitecture.fromNvml(uintOut(h, Call.ARCHITECTURE));
        MigMode mig = migMode(h);
        List<MigDevice> migDevices = mig != null && mig.current() ? migDevices(h, total) : List.of();
        return new GpuInfo(index, minor, uuid, name, busId, deviceId, total, cc, arch, mig, migDevices, peers);
    }

    /** The PCI bus id alone, as NVLink's remote PCI info gives it, for matching peers. */
    String busId(MemorySegment handle) {
        return pciInfo(handle).getString(PCI_BUS_ID_OFFSET);
    }

    private MemorySegment pciInfo(MemorySegment h) {
        MemorySegment out = NvmlLibrary.scratch();
        int rc;
        try {
            rc = (int) NvmlLibrary.deviceGetPciInfo.invokeExact(h, out);
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceGetPciInfo_v3", t);
        }
        lib.check("nvmlDeviceGetPciInfo_v3", rc);
        return out.asSlice(0, PCI_INFO_BYTES);
    }

    private ComputeCapability computeCapability(MemorySegment h) {
        MemorySegment out = NvmlLibrary.scratch();
        int rc;
        try {
            rc = (int) NvmlLibrary.deviceGetCudaComputeCapability.invokeExact(h, out, out.asSlice(4));
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceGetCudaComputeCapability", t);
        }
        lib.check("nvmlDeviceGetCudaComputeCapability", rc);
        return new ComputeCapability(out.get(JAVA_INT, 0), out.get(JAVA_INT, 4));
    }

    /** Null when the GPU cannot do MIG (NVML says NOT_SUPPORTED), which is what GFD's mig.capable reads. */
    private MigMode migMode(MemorySegment h) {
        MemorySegment out = NvmlLibrary.scratch();
        int rc;
        try {
            rc = (int) NvmlLibrary.deviceGetMigMode.invokeExact(h, out, out.asSlice(4));
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceGetMigMode", t);
        }
        NvmlReturn r = NvmlReturn.of(rc);
        if (r == NvmlReturn.ERROR_NOT_SUPPORTED || r == NvmlReturn.ERROR_FUNCTION_NOT_FOUND) {
            return null;
        }
        lib.check("nvmlDeviceGetMigMode", rc);
        return new MigMode(out.get(JAVA_INT, 0) == 1, out.get(JAVA_INT, 4) == 1);
    }

    private List<MigDevice> migDevices(MemorySegment parent, long parentTotal) {
        int max = uintOut(parent, Call.MAX_MIG_DEVICES);
        List<MigDevice> devices = new ArrayList<>();
        for (int i = 0; i < max; i++) {
            MemorySegment out = NvmlLibrary.scratch();
            int rc;
            try {
                rc = (int) NvmlLibrary.deviceGetMigDeviceHandleByIndex.invokeExact(parent, i, out);
            } catch (Throwable t) {
                throw NvmlLibrary.unexpected("nvmlDeviceGetMigDeviceHandleByIndex", t);
            }
            if (NvmlReturn.of(rc) == NvmlReturn.ERROR_NOT_FOUND) {
                continue; // an empty slot
            }
            lib.check("nvmlDeviceGetMigDeviceHandleByIndex", rc);
            devices.add(migDevice(out.get(ADDRESS, 0), i, parentTotal));
        }
        return devices;
    }

    private MigDevice migDevice(MemorySegment mig, int index, long parentTotal) {
        String uuid = text(mig, Call.UUID, UUID_BUFFER);
        int gi = uintOut(mig, Call.GPU_INSTANCE_ID);
        int ci = uintOut(mig, Call.COMPUTE_INSTANCE_ID);
        MemorySegment a = NvmlLibrary.scratch();
        int rc;
        try {
            rc = (int) NvmlLibrary.deviceGetAttributes.invokeExact(mig, a);
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceGetAttributes_v2", t);
        }
        lib.check("nvmlDeviceGetAttributes_v2", rc);
        // nvmlDeviceAttributes_t: 8 uints (SMs, copy, dec, enc, jpeg, ofa, GI slices, CI slices), memorySizeMB @32
        int sms = a.get(JAVA_INT, 0);
        int giSlices = a.get(JAVA_INT, 24);
        int ciSlices = a.get(JAVA_INT, 28);
        long memMiB = a.get(JAVA_LONG, 32);
        String profile = MigProfiles.name(giSlices, ciSlices, memMiB, parentTotal);
        MigDevice.Engines engines = new MigDevice.Engines(a.get(JAVA_INT, 4), a.get(JAVA_INT, 8), a.get(JAVA_INT, 12),
            a.get(JAVA_INT, 16), a.get(JAVA_INT, 20));
        return new MigDevice(uuid, index, gi, ci, profile, memMiB, sms, giSlices, ciSlices, engines);
    }

    /** The {@code (nvmlDevice_t, unsigned int *)} getters used here. */
    enum Call { INDEX, MINOR, ARCHITECTURE, MAX_MIG_DEVICES, GPU_INSTANCE_ID, COMPUTE_INSTANCE_ID, NAME, UUID }

    int uintOut(MemorySegment h, Call call) {
        MemorySegment out = NvmlLibrary.scratch();
        int rc;
        try {
            rc = switch (call) {
                case INDEX -> (int) NvmlLibrary.deviceGetIndex.invokeExact(h, out);
                case MINOR -> (int) NvmlLibrary.deviceGetMinorNumber.invokeExact(h, out);
                case ARCHITECTURE -> (int) NvmlLibrary.deviceGetArchitecture.invokeExact(h, out);
                case MAX_MIG_DEVICES -> (int) NvmlLibrary.deviceGetMaxMigDeviceCount.invokeExact(h, out);
                case GPU_INSTANCE_ID -> (int) NvmlLibrary.deviceGetGpuInstanceId.invokeExact(h, out);
                case COMPUTE_INSTANCE_ID -> (int) NvmlLibrary.deviceGetComputeInstanceId.invokeExact(h, out);
                default -> throw new IllegalArgumentException(call.name());
            };
        } catch (GpuException | IllegalArgumentException e) {
            throw e;
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected(call.name(), t);
        }
        lib.check(cName(call), rc);
        return out.get(JAVA_INT, 0);
    }

    private String text(MemorySegment h, Call call, int size) {
        MemorySegment out = NvmlLibrary.scratch();
        int rc;
        try {
            rc = call == Call.NAME ? (int) NvmlLibrary.deviceGetName.invokeExact(h, out, size)
                : (int) NvmlLibrary.deviceGetUuid.invokeExact(h, out, size);
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected(cName(call), t);
        }
        lib.check(cName(call), rc);
        return out.getString(0);
    }

    private static String cName(Call call) {
        return switch (call) {
            case INDEX -> "nvmlDeviceGetIndex";
            case MINOR -> "nvmlDeviceGetMinorNumber";
            case ARCHITECTURE -> "nvmlDeviceGetArchitecture";
            case MAX_MIG_DEVICES -> "nvmlDeviceGetMaxMigDeviceCount";
            case GPU_INSTANCE_ID -> "nvmlDeviceGetGpuInstanceId";
            case COMPUTE_INSTANCE_ID -> "nvmlDeviceGetComputeInstanceId";
            case NAME -> "nvmlDeviceGetName";
            case UUID -> "nvmlDeviceGetUUID";
        };
    }
}
