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
 * @param migDriver how the driver answers MIG changes (latencies, GPU reset); null for instant, reset exposed
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record GpuFixture(String description, String driverVersion, int cudaDriverVersion, List<FixtureGpu> gpus,
                         Faults faults, FixtureMigDriver migDriver) {

    public GpuFixture {
        gpus = gpus == null ? List.of() : List.copyOf(gpus);
        faults = faults == null ? Faults.NONE : faults;
        migDriver = migDriver == null ? FixtureMigDriver.INSTANT : migDriver;
    }

    /** The same host with other faults. */
    public GpuFixture withFaults(Faults newFaults) {
        return new GpuFixture(description, driverVersion, cudaDriverVersion, gpus, newFaults, migDriver);
    }

    /** The same host with another MIG driver. */
    public GpuFixture withMigDriver(FixtureMigDriver driver) {
        return new GpuFixture(description, driverVersion, cudaDriverVersion, gpus, faults, driver);
    }
}
