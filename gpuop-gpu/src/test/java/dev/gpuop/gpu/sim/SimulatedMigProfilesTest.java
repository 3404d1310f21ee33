package dev.gpuop.gpu.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.MigProfiles;
import dev.gpuop.gpu.mig.MigProfile;
import dev.gpuop.gpu.mig.MigProfileTable;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The simulator answers the profile query as a driver does: profile ids, slices, counts and instance memory. */
class SimulatedMigProfilesTest {

    @Test
    void aMigCapableGpuOffersItsTablesProfilesWithTheMemoryTheirNamesComeFrom() {
        try (SimulatedGpuHost host = SimulatedGpuHost.open("a100-mig-mixed")) {
            Gpu gpu = host.gpus().getFirst();
            GpuInfo i = gpu.info();
            List<MigProfile> table = MigProfileTable.forGpu(i.name(), i.memoryTotalBytes()).orElseThrow();
            assertThat(gpu.migProfilesOffered()).hasSize(table.size());
            assertThat(gpu.migProfilesOffered()).allSatisfy(p -> {
                MigProfile t = table.stream().filter(x -> x.nvmlProfileId() == p.nvmlProfileId()).findFirst()
                    .orElseThrow();
                assertThat(MigProfiles.name(p.sliceCount(), p.sliceCount(), p.memoryMiB(), i.memoryTotalBytes())
                    + (t.mediaExtensions() ? "+me" : "")).isEqualTo(t.name());
                assertThat(p.memoryMiB()).isLessThan(i.memoryTotalMiB());
            });
        }
    }

    @Test
    void aGpuWithoutMigOffersNone() {
        try (SimulatedGpuHost host = SimulatedGpuHost.open("mx150-laptop")) {
            assertThat(host.gpus().getFirst().migProfilesOffered()).isEmpty();
        }
    }
}
