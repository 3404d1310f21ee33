package dev.gpuop.gpu.sim;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.gpuop.gpu.GpuArchitecture;
import dev.gpuop.gpu.MigDevice;
import dev.gpuop.gpu.MigMode;
import java.util.List;

/**
 * One simulated GPU.
 *
 * @param name marketing name
 * @param uuid GPU UUID
 * @param minorNumber {@code /dev/nvidia<minor>}; null means the index
 * @param pciBusId NVML form, {@code 00000000:18:00.0}
 * @param pciDeviceId device id and vendor, e.g. {@code 0x233510de}
 * @param memoryTotalMiB total memory
 * @param computeCapability e.g. {@code 9.0}
 * @param architecture NVML's architecture name
 * @param migMode null when the GPU cannot do MIG
 * @param migDevices MIG devices (only when MIG is enabled)
 * @param nvlinks active NVLinks: far end and number of links to it
 * @param readings the values live readings return
 * @param unsupported readings this GPU answers NOT_SUPPORTED for (names of {@link Readings} fields)
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record FixtureGpu(String name, String uuid, Integer minorNumber, String pciBusId, String pciDeviceId,
                         long memoryTotalMiB, String computeCapability, GpuArchitecture architecture,
                         MigMode migMode, List<FixtureMigDevice> migDevices, List<Link> nvlinks,
                         Readings readings, List<String> unsupported) {

    public FixtureGpu {
        migDevices = migDevices == null ? List.of() : List.copyOf(migDevices);
        nvlinks = nvlinks == null ? List.of() : List.copyOf(nvlinks);
        unsupported = unsupported == null ? List.of() : List.copyOf(unsupported);
        readings = readings == null ? Readings.IDLE : readings;
    }

    /**
     * A MIG device of the fixture; the profile name is computed as NVML-backed code computes it.
     *
     * @param uuid MIG UUID
     * @param gpuInstanceId GI id
     * @param computeInstanceId CI id
     * @param gpuInstanceSlices GI slices
     * @param computeInstanceSlices CI slices
     * @param memoryMiB NVML's {@code memorySizeMB}
     * @param multiprocessorCount SMs
     * @param engines shared copy engines, decoders, encoders, JPEG decoders, OFAs (absent: unknown, all 0)
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record FixtureMigDevice(String uuid, int gpuInstanceId, int computeInstanceId, int gpuInstanceSlices,
                                   int computeInstanceSlices, long memoryMiB, int multiprocessorCount,
                                   MigDevice.Engines engines) {
    }

    /**
     * Links to one far end.
     *
     * @param remote the far end's PCI bus id (another GPU's, or an NVSwitch's)
     * @param count how many links go there
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Link(String remote, int count) {
    }

    /**
     * The live values; memory used is in MiB, everything else in NVML's units. An absent memory temperature reads
     * NOT_SUPPORTED, as on GPUs without HBM.
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Readings(int gpuUtil, int memUtil, long reservedMiB, long usedMiB, int temperature, int powerMw,
                           long energyMj, int smClock, int memClock, long eccCorrected, long eccUncorrected,
                           int remappedCorrected, int remappedUncorrected, int pcieReplay, long throttleReasons,
                           Integer memoryTemperature, Integer encUtil, Integer decUtil) {

        public Readings {
            encUtil = encUtil == null ? 0 : encUtil;
            decUtil = decUtil == null ? 0 : decUtil;
        }

        /** An idle GPU with no errors. */
        public static final Readings IDLE = new Readings(0, 0, 0, 0, 30, 50_000, 1_000_000, 1_000, 1_000, 0, 0, 0,
            0, 0, 1, null, 0, 0);
    }
}
