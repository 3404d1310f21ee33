package dev.gpuop.gpu.nvml;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.gpuop.gpu.GpuEvent;
import dev.gpuop.gpu.GpuEventStream;
import dev.gpuop.gpu.GpuEventType;
import dev.gpuop.gpu.NvmlReturn;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * NVML's event set: each GPU registered for the wanted kinds it supports, read with {@code nvmlEventSetWait_v2}.
 * The wait blocks its thread in the driver, so readers use a platform thread, not a virtual one.
 */
final class NvmlEventStream implements GpuEventStream {

    /** {@code nvmlEventData_t}: device@0, eventType@8, eventData@16, gpuInstanceId@24, computeInstanceId@28. */
    private static final int EVENT_DATA_BYTES = 32;
    private static final int NO_INSTANCE = 0xFFFFFFFF;

    private final NvmlLibrary lib;
    private final List<NvmlGpu> gpus;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment set;
    private final MemorySegment data;
    private final java.util.Map<String, String> unwatched = new java.util.LinkedHashMap<>();

    NvmlEventStream(NvmlLibrary lib, List<NvmlGpu> gpus, long wanted) {
        this.lib = lib;
        this.gpus = gpus;
        MemorySegment out = arena.allocate(ADDRESS);
        int rc;
        try {
            rc = (int) NvmlEventCalls.eventSetCreate.invokeExact(out);
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlEventSetCreate", t);
        }
        lib.check("nvmlEventSetCreate", rc);
        this.set = out.get(ADDRESS, 0);
        this.data = arena.allocate(EVENT_DATA_BYTES, 8);
        for (NvmlGpu gpu : gpus) {
            register(gpu, wanted);
        }
    }

    private void register(NvmlGpu gpu, long wanted) {
        MemorySegment supported = arena.allocate(JAVA_LONG);
        int rc;
        try {
            rc = (int) NvmlEventCalls.deviceGetSupportedEventTypes.invokeExact(gpu.handle(), supported);
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceGetSupportedEventTypes", t);
        }
        if (rc != 0) {
            // a GPU without events (e.g. NOT_SUPPORTED in some VMs) is watched by polling instead
            unwatched.put(gpu.info().uuid(), "nvmlDeviceGetSupportedEventTypes: " + NvmlReturn.of(rc).cName());
            return;
        }
        long mask = wanted & supported.get(JAVA_LONG, 0);
        if (mask == 0) {
            unwatched.put(gpu.info().uuid(), String.format("the driver offers none of the events wanted "
                + "(supported 0x%x, wanted 0x%x)", supported.get(JAVA_LONG, 0), wanted));
            return;
        }
        try {
            rc = (int) NvmlEventCalls.deviceRegisterEvents.invokeExact(gpu.handle(), mask, set);
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlDeviceRegisterEvents", t);
        }
        lib.check("nvmlDeviceRegisterEvents", rc);
    }

    @Override
    public java.util.Map<String, String> unwatched() {
        return java.util.Map.copyOf(unwatched);
    }

    @Override
    public Optional<GpuEvent> next(Duration timeout) {
        int rc;
        try {
            int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
            rc = (int) NvmlEventCalls.eventSetWait.invokeExact(set, data, millis);
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlEventSetWait_v2", t);
        }
        if (NvmlReturn.of(rc) == NvmlReturn.ERROR_TIMEOUT) {
            return Optional.empty();
        }
        lib.check("nvmlEventSetWait_v2", rc);
        MemorySegment device = data.get(ADDRESS, 0);
        String uuid = gpus.stream().filter(g -> g.handle().address() == device.address())
            .map(g -> g.info().uuid()).findFirst().orElse("unknown");
        GpuEventType type = GpuEventType.fromEventBit(data.get(JAVA_LONG, 8));
        int gi = data.get(JAVA_INT, 24);
        int ci = data.get(JAVA_INT, 28);
        return Optional.of(new GpuEvent(uuid, type, data.get(JAVA_LONG, 16), gi == NO_INSTANCE ? -1 : gi,
            ci == NO_INSTANCE ? -1 : ci, Instant.now()));
    }

    @Override
    public void close() {
        try {
            int rc = (int) NvmlEventCalls.eventSetFree.invokeExact(set);
            lib.check("nvmlEventSetFree", rc);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw NvmlLibrary.unexpected("nvmlEventSetFree", t);
        } finally {
            arena.close();
        }
    }
}
