package dev.gpuop.gpu.sim;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * A simulated host as a fixture file describes it (JSON, see {@code src/main/resources/dev/gpuop/gpu/fixtures}).
 * Unknown fields are refused, so a typo in a fixture fails loudly instead of silently simulating something else.
 *
 * @param description what real machine this stands for
 * @param driverVersion e.g. {@code 525.78.01}
 * @param cudaDriverVersion the driver's integer form, e.g. 12000
 * @param gpus the GPUs, in NVML index order
 * @param faults faults to inject; null for none
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record GpuFixture(String description, String driverVersion, int cudaDriverVersion, List<FixtureGpu> gpus,
                         Faults faults) {

    public GpuFixture {
        gpus = gpus == null ? List.of() : List.copyOf(gpus);
        faults = faults == null ? Faults.NONE : faults;
    }

    /** The same host with other faults. */
    public GpuFixture withFaults(Faults newFaults) {
        return new GpuFixture(description, driverVersion, cudaDriverVersion, gpus, newFaults);
    }
}
