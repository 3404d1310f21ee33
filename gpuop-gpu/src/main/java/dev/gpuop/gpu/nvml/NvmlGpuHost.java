package dev.gpuop.gpu.nvml;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.gpuop.gpu.CudaVersion;
import dev.gpuop.gpu.DriverLibraries;
import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuEventStream;
import dev.gpuop.gpu.GpuEventType;
import dev.gpuop.gpu.GpuException;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.NvLinkPeer;
import dev.gpuop.gpu.NvLinkTopology;
import dev.gpuop.gpu.NvmlReturn;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The host's GPUs through NVML. NVML's init is reference-counted by the driver and costs milliseconds, so one
 * process holds one initialised instance: {@link #open} hands out the same host until the last holder closes it.
 */
public final class NvmlGpuHost implements GpuHost {

    /** The library's soname, as the driver installs it. */
    public static final String SONAME = "libnvidia-ml.so.1";
    /** {@code NVML_NVLINK_MAX_LINKS} of NVML 13; older GPUs answer INVALID_ARGUMENT past their last link. */
    static final int MAX_LINKS = 36;
    private static final int DRIVER_VERSION_BUFFER = 80;
    private static final Object LOCK = new Object();
    private static NvmlGpuHost shared;
    private static int holders;

    private final NvmlLibrary lib;
    private final String driverVersion;
    private final CudaVersion cudaVersion;
    private final List<NvmlGpu> gpus;

    private NvmlGpuHost(NvmlLibrary lib) {
        this.lib = lib;
        int rc;
        try {
            rc = (int) NvmlLibrary.init.invokeExact();
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlInit_v2", t);
        }
        lib.check("nvmlInit_v2", rc);
        this.driverVersion = systemDriverVersion();
        this.cudaVersion = CudaVersion.fromInt(systemCudaVersion());
        this.gpus = enumerate();
    }

    /**
     * Loads NVML (searching as {@link DriverLibraries} says), initialises it once per process and reads every GPU.
     *
     * @throws dev.gpuop.gpu.DriverLibraryNotFoundException when the library is nowhere
     * @throws GpuException when NVML fails to initialise (e.g. DRIVER_NOT_LOADED)
     */
    public static NvmlGpuHost open(DriverLibraries libraries) {
        synchronized (LOCK) {
            if (shared == null) {
                // NVML opens libcuda only for the CUDA version, read here once: keep it loaded no longer than that
                try (Arena cuda = Arena.ofConfined()) {
                    libraries.preloadForDependents("libcuda.so.1", cuda);
                    shared = new NvmlGpuHost(NvmlBinding.bind(libraries.load(SONAME, Arena.global())));
                }
            }
            holders++;
            return shared;
        }
    }

    @Override
    public String driverVersion() {
        return driverVersion;
    }

    @Override
    public CudaVersion cudaDriverVersion() {
        return cudaVersion;
    }

    @Override
    public List<Gpu> gpus() {
        return List.copyOf(gpus);
    }

    @Override
    public GpuEventStream events(Set<GpuEventType> types) {
        return new NvmlEventStream(lib, gpus, GpuEventType.maskOf(types));
    }

    @Override
    public void close() {
        synchronized (LOCK) {
            if (shared != this || holders == 0) {
                return;
            }
            if (--holders == 0) {
                shared = null;
                try {
                    int rc = (int) NvmlLibrary.shutdown.invokeExact();
                    lib.check("nvmlShutdown", rc);
                } catch (GpuException e) {
                    throw e;
                } catch (Throwable t) {
                    throw NvmlLibrary.unexpected("nvmlShutdown", t);
                }
            }
        }
    }

    private String systemDriverVersion() {
        MemorySegment out = NvmlLibrary.scratch();
        int rc;
        try {
            rc = (int) NvmlLibrary.systemGetDriverVersion.invokeExact(out, DRIVER_VERSION_BUFFER);
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlSystemGetDriverVersion", t);
        }
        lib.check("nvmlSystemGetDriverVersion", rc);
        return out.getString(0);
    }

    private int systemCudaVersion() {
        MemorySegment out = NvmlLibrary.scratch();
        int rc;
        try {
            rc = (int) NvmlLibrary.systemGetCudaDriverVersion.invokeExact(out);
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlSystemGetCudaDriverVersion_v2", t);
        }
        lib.check("nvmlSystemGetCudaDriverVersion_v2", rc);
        return out.get(JAVA_INT, 0);
    }

    private List<NvmlGpu> enumerate() {
        MemorySegment out = NvmlLibrary.scratch();
        int rc;
        try {
            rc = (int) NvmlLibrary.deviceGetCount.invokeExact(out);
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceGetCount_v2", t);
        }
        lib.check("nvmlDeviceGetCount_v2", rc);
        int count = out.get(JAVA_INT, 0);
        List<NvmlGpu> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            try {
                rc = (int) NvmlLibrary.deviceGetHandleByIndex.invokeExact(i, out);
            } catch (Throwable t) {
                throw NvmlLibrary.unexpected("nvmlDeviceGetHandleByIndex_v2", t);
            }
            lib.check("nvmlDeviceGetHandleByIndex_v2", rc);
            list.add(new NvmlGpu(lib, out.get(ADDRESS, 0)));
        }
        NvmlInfoReader reader = new NvmlInfoReader(lib);
        Map<Integer, List<NvLinkPeer>> peers = NvLinkTopology.peers(links(list, reader));
        for (int i = 0; i < list.size(); i++) {
            list.get(i).setInfo(reader.read(list.get(i), peers.getOrDefault(i, List.of())));
        }
        return list;
    }

    private List<NvLinkTopology.GpuLinks> links(List<NvmlGpu> list, NvmlInfoReader reader) {
        List<NvLinkTopology.GpuLinks> result = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            MemorySegment h = list.get(i).handle();
            result.add(new NvLinkTopology.GpuLinks(i, list.get(i).uuid(), reader.busId(h), remoteBusIds(h)));
        }
        return result;
    }

    /** The far end of each active link; stops at the first link the GPU does not have. */
    private List<String> remoteBusIds(MemorySegment h) {
        List<String> remotes = new ArrayList<>();
        for (int link = 0; link < MAX_LINKS; link++) {
            MemorySegment out = NvmlLibrary.scratch();
            int rc;
            try {
                rc = (int) NvmlLibrary.deviceGetNvLinkState.invokeExact(h, link, out);
            } catch (Throwable t) {
                throw NvmlLibrary.unexpected("nvmlDeviceGetNvLinkState", t);
            }
            if (rc != NvmlReturn.SUCCESS.code()) {
                break; // NOT_SUPPORTED (no NVLink) or INVALID_ARGUMENT (past the last link)
            }
            if (out.get(JAVA_INT, 0) != 1) {
                continue;
            }
            try {
                rc = (int) NvmlLibrary.deviceGetNvLinkRemotePciInfo.invokeExact(h, link, out);
            } catch (Throwable t) {
                throw NvmlLibrary.unexpected("nvmlDeviceGetNvLinkRemotePciInfo_v2", t);
            }
            if (rc == NvmlReturn.SUCCESS.code()) {
                remotes.add(out.getString(36));
            }
        }
        return remotes;
    }
}
