package dev.gpuop.gpu.nvml;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.gpuop.gpu.GpuException;
import dev.gpuop.gpu.MigMode;
import dev.gpuop.gpu.NvmlReturn;
import dev.gpuop.gpu.mig.GpuInstance;
import dev.gpuop.gpu.mig.MigActivation;
import dev.gpuop.gpu.mig.MigControl;
import dev.gpuop.gpu.mig.MigProfile;
import dev.gpuop.gpu.mig.MigProfileInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * {@link MigControl} over NVML. Each GPU instance gets one compute instance of its own slice count, as
 * {@code nvidia-smi mig -cgi <profile> -C} makes it. The read-only calls (mode, possible placements, instances,
 * processes) run on the GPU machine's tests; the calls that change a layout have never run on hardware here,
 * because the one GPU there must keep its MIG mode: the simulator's rules stand for them in tests.
 */
final class NvmlMigControl implements MigControl {

    /** {@code NVML_COMPUTE_INSTANCE_PROFILE_*} of a compute instance spanning a GPU instance of n slices. */
    private static final Map<Integer, Integer> FULL_COMPUTE_PROFILE = Map.of(1, 0, 2, 1, 3, 2, 4, 3, 7, 4, 8, 5,
        6, 6);
    private static final int MAX_INSTANCES = 8;
    /** nvmlGpuInstanceInfo_t: device (8), id (4), profileId (4), placement start (4) and size (4). */
    private static final int INSTANCE_INFO_BYTES = 24;

    private final NvmlGpu gpu;

    NvmlMigControl(NvmlGpu gpu) {
        this.gpu = gpu;
    }

    @Override
    public MigMode mode() {
        return gpu.info().migMode() == null ? new MigMode(false, false) : readMode();
    }

    private MigMode readMode() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(8);
            int rc = (int) NvmlLibrary.deviceGetMigMode.invokeExact(gpu.handle(), out, out.asSlice(4));
            NvmlLibrary.instance().check("nvmlDeviceGetMigMode", rc);
            return new MigMode(out.get(JAVA_INT, 0) == 1, out.get(JAVA_INT, 4) == 1);
        } catch (GpuException e) {
            throw e;
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceGetMigMode", t);
        }
    }

    @Override
    public MigActivation setMode(boolean enabled) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(4);
            int rc = (int) NvmlMigCalls.deviceSetMigMode.invokeExact(gpu.handle(), enabled ? 1 : 0, status);
            NvmlLibrary.instance().check("nvmlDeviceSetMigMode", rc);
            return new MigActivation(readMode(), NvmlReturn.of(status.get(JAVA_INT, 0)));
        } catch (GpuException e) {
            throw e;
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceSetMigMode", t);
        }
    }

    /** Where NVML would place an instance of the profile ({@code start} of each placement), read-only. */
    List<Integer> possibleStarts(int nvmlProfileId) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment placements = arena.allocate(8L * MAX_INSTANCES, 4);
            MemorySegment count = arena.allocate(4);
            count.set(JAVA_INT, 0, MAX_INSTANCES);
            int rc = (int) NvmlMigCalls.deviceGetGpuInstancePossiblePlacements.invokeExact(gpu.handle(),
                nvmlProfileId, placements, count);
            NvmlLibrary.instance().check("nvmlDeviceGetGpuInstancePossiblePlacements_v2", rc);
            List<Integer> starts = new ArrayList<>();
            for (int i = 0; i < count.get(JAVA_INT, 0); i++) {
                starts.add(placements.get(JAVA_INT, 8L * i));
            }
            return starts;
        } catch (GpuException e) {
            throw e;
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceGetGpuInstancePossiblePlacements_v2", t);
        }
    }

    @Override
    public List<GpuInstance> gpuInstances() {
        int processes = processes();
        List<GpuInstance> out = new ArrayList<>();
        for (MemorySegment gi : instanceHandles()) {
            out.add(describe(gi, processes));
        }
        out.sort(Comparator.comparingInt(GpuInstance::start));
        return out;
    }

    /** Every GPU instance's handle, over all profiles (NVML lists them per profile). */
    private List<MemorySegment> instanceHandles() {
        List<MemorySegment> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handles = arena.allocate(ADDRESS.byteSize() * MAX_INSTANCES, 8);
            MemorySegment count = arena.allocate(4);
            for (MigProfileInfo p : gpu.migProfilesOffered()) {
                count.set(JAVA_INT, 0, 0);
                int rc = (int) NvmlMigCalls.deviceGetGpuInstances.invokeExact(gpu.handle(), p.nvmlProfileId(),
                    handles, count);
                NvmlLibrary.instance().check("nvmlDeviceGetGpuInstances", rc);
                for (int i = 0; i < count.get(JAVA_INT, 0); i++) {
                    out.add(handles.getAtIndex(ADDRESS, i));
                }
            }
        } catch (GpuException e) {
            throw e;
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceGetGpuInstances", t);
        }
        return out;
    }

    private static GpuInstance describe(MemorySegment gi, int processes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(INSTANCE_INFO_BYTES, 8);
            int rc = (int) NvmlMigCalls.gpuInstanceGetInfo.invokeExact(gi, info);
            NvmlLibrary.instance().check("nvmlGpuInstanceGetInfo", rc);
            return new GpuInstance(info.get(JAVA_INT, 8), info.get(JAVA_INT, 12), info.get(JAVA_INT, 16),
                info.get(JAVA_INT, 20), processes);
        } catch (GpuException e) {
            throw e;
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlGpuInstanceGetInfo", t);
        }
    }

    @Override
    public GpuInstance create(MigProfile profile, int start) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment placement = arena.allocate(8, 4);
            placement.set(JAVA_INT, 0, start);
            placement.set(JAVA_INT, 4, profile.memorySlices());
            MemorySegment gi = arena.allocate(ADDRESS);
            int rc = (int) NvmlMigCalls.deviceCreateGpuInstanceWithPlacement.invokeExact(gpu.handle(),
                profile.nvmlProfileId(), placement, gi);
            NvmlLibrary.instance().check("nvmlDeviceCreateGpuInstanceWithPlacement", rc);
            MemorySegment instance = gi.get(ADDRESS, 0);
            MemorySegment ci = arena.allocate(ADDRESS);
            rc = (int) NvmlMigCalls.gpuInstanceCreateComputeInstance.invokeExact(instance,
                (int) FULL_COMPUTE_PROFILE.get(profile.computeSlices()), ci);
            if (rc != 0) {
                // no GPU instance without its compute instance is left behind
                int ignored = (int) NvmlMigCalls.gpuInstanceDestroy.invokeExact(instance);
                NvmlLibrary.instance().check("nvmlGpuInstanceCreateComputeInstance", rc);
            }
            return describe(instance, 0);
        } catch (GpuException e) {
            throw e;
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceCreateGpuInstanceWithPlacement", t);
        }
    }

    @Override
    public void destroy(GpuInstance instance) {
        MemorySegment gi = instanceHandles().stream().filter(h -> describe(h, 0).id() == instance.id()).findFirst()
            .orElseThrow(() -> new GpuException("nvmlGpuInstanceDestroy", NvmlReturn.ERROR_NOT_FOUND,
                "GPU instance " + instance.id()));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cis = arena.allocate(ADDRESS.byteSize() * MAX_INSTANCES, 8);
            MemorySegment count = arena.allocate(4);
            for (int ciProfile : FULL_COMPUTE_PROFILE.values()) {
                count.set(JAVA_INT, 0, 0);
                int rc = (int) NvmlMigCalls.gpuInstanceGetComputeInstances.invokeExact(gi, ciProfile, cis, count);
                if (rc != 0) {
                    continue; // a compute-instance profile this GPU instance does not have
                }
                for (int i = 0; i < count.get(JAVA_INT, 0); i++) {
                    rc = (int) NvmlMigCalls.computeInstanceDestroy.invokeExact(cis.getAtIndex(ADDRESS, i));
                    NvmlLibrary.instance().check("nvmlComputeInstanceDestroy", rc);
                }
            }
            int rc = (int) NvmlMigCalls.gpuInstanceDestroy.invokeExact(gi);
            NvmlLibrary.instance().check("nvmlGpuInstanceDestroy", rc);
        } catch (GpuException e) {
            throw e;
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlGpuInstanceDestroy", t);
        }
    }

    @Override
    public int processes() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(4);
            count.set(JAVA_INT, 0, 0);
            int rc = (int) NvmlMigCalls.deviceGetComputeRunningProcesses.invokeExact(gpu.handle(), count,
                MemorySegment.NULL);
            // with no room given, NVML answers INSUFFICIENT_SIZE and the count when there are processes
            if (rc != 0 && rc != NvmlReturn.ERROR_INSUFFICIENT_SIZE.code()) {
                NvmlLibrary.instance().check("nvmlDeviceGetComputeRunningProcesses_v3", rc);
            }
            return count.get(JAVA_INT, 0);
        } catch (GpuException e) {
            throw e;
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceGetComputeRunningProcesses_v3", t);
        }
    }
}
