package dev.gpuop.gpu;

import java.util.List;
import java.util.Set;

/**
 * The GPUs of one host, seen at the level the device plugin, feature labels, exporter and validator need: not raw
 * NVML. Implementations: {@code NvmlGpuHost} over the real driver and {@code SimulatedGpuHost} from fixture files.
 * Every method may throw {@link GpuException}, which names the failing call and the driver's error code.
 */
public interface GpuHost extends AutoCloseable {

    /** The kernel driver's version string, e.g. {@code 580.159.04}. */
    String driverVersion();

    /** The highest CUDA version the driver supports, e.g. 13.0. */
    CudaVersion cudaDriverVersion();

    /** The full GPUs of this host, ordered by index. MIG devices hang below their parent. */
    List<Gpu> gpus();

    /**
     * Subscribes to the given event kinds on every GPU that supports them. The caller closes the stream.
     *
     * @param types the kinds wanted; kinds a GPU does not support are left out for that GPU
     */
    GpuEventStream events(Set<GpuEventType> types);

    /** Releases the driver handle; the host is unusable afterwards. */
    @Override
    void close();
}
