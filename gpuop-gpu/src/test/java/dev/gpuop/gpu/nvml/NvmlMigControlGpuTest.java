package dev.gpuop.gpu.nvml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuException;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.MigMode;
import dev.gpuop.gpu.mig.MigControl;
import dev.gpuop.gpu.mig.MigProfile;
import dev.gpuop.gpu.mig.MigProfileTable;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The read-only half of NVML's MIG calls on the real GPU (tag gpu): the mode as the driver's info reads it, no
 * compute process on an idle GPU, and where the driver would place each profile against gpuop's table (held to it
 * in MIG mode only: with MIG off the driver's answer is printed, not the geometry). Nothing
 * is created, destroyed or switched: the GPU's MIG mode is never changed.
 */
@Tag("gpu")
class NvmlMigControlGpuTest {

    @Test
    void theDriversPlacementsModeAndProcessesReadAsOurModelSays() {
        try (GpuHost host = RealNvml.openOrSkip()) {
            int compared = 0;
            for (Gpu gpu : host.gpus()) {
                GpuInfo i = gpu.info();
                if (i.migMode() == null) {
                    continue;
                }
                NvmlMigControl mig = (NvmlMigControl) gpu.migControl();
                MigMode mode = mig.mode();
                assertThat(mode).isEqualTo(i.migMode());
                int processes = mig.processes();
                System.out.println("GPU " + i.index() + " (" + i.name() + "): MIG mode " + mode + ", compute "
                    + "processes " + processes);
                assertThat(processes).as("nothing runs CUDA on the test machine's GPU").isZero();
                for (MigProfile p : MigProfileTable.forGpu(i.name(), i.memoryTotalBytes()).orElse(List.of())) {
                    try {
                        List<Integer> starts = mig.possibleStarts(p.nvmlProfileId());
                        System.out.println("  " + p.name() + " (NVML profile " + p.nvmlProfileId() + "): placements "
                            + starts + ", table " + p.placementStarts());
                        // with MIG off the answer is not the MIG geometry: the H200 (driver 580.159.04) answered
                        // [0] for 1g.18gb; only a GPU in MIG mode is held to the table
                        if (mode.current()) {
                            assertThat(starts).as(p.name()).isEqualTo(p.placementStarts());
                            compared++;
                        }
                    } catch (GpuException e) {
                        // with MIG off the driver may not answer placements: said, not hidden
                        System.out.println("  " + p.name() + ": placements not answered: " + e.getMessage());
                        assertThat(mode.current()).as("placements refused with MIG on: " + e.getMessage())
                            .isFalse();
                    }
                }
                if (!mode.current()) {
                    assertThat(tryInstances(mig)).as("no GPU instances exist with MIG off").isTrue();
                }
            }
            System.out.println("placements compared: " + compared);
        }
    }

    /** With MIG off there are no GPU instances: the driver lists none or refuses the question. */
    private static boolean tryInstances(MigControl mig) {
        try {
            return mig.gpuInstances().isEmpty();
        } catch (GpuException e) {
            System.out.println("  GPU instances with MIG off: " + e.getMessage());
            return true;
        }
    }
}
