package dev.gpuop.gpu.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.MigProfiles;
import dev.gpuop.gpu.mig.MigProfile;
import dev.gpuop.gpu.mig.MigProfileInfo;
import dev.gpuop.gpu.mig.MigProfileTable;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * gpuop's MIG profile table against what the driver says the real GPU offers (tag gpu). Read-only: the GPU's MIG
 * mode is never changed, only asked about.
 */
@Tag("gpu")
class MigProfilesGpuTest {

    @Test
    void theTableIsWhatTheDriverOffers() {
        try (GpuHost host = RealNvml.openOrSkip()) {
            int checked = 0;
            for (Gpu gpu : host.gpus()) {
                GpuInfo i = gpu.info();
                List<MigProfileInfo> offered = gpu.migProfilesOffered();
                System.out.println("NVML MIG profiles of GPU " + i.index() + " (" + i.name() + ", " + i.memoryTotalMiB()
                    + " MiB, MIG mode " + i.migMode() + "):");
                offered.forEach(p -> System.out.println("  " + p + " = " + MigProfiles.name(p.sliceCount(),
                    p.sliceCount(), p.memoryMiB(), i.memoryTotalBytes())));
                Optional<List<MigProfile>> table = MigProfileTable.forGpu(i.name(), i.memoryTotalBytes());
                if (table.isEmpty() || offered.isEmpty()) {
                    System.out.println("  (no table, or the driver offers none: nothing to compare)");
                    continue;
                }
                for (MigProfile p : table.get()) {
                    MigProfileInfo nvml = offered.stream().filter(o -> o.nvmlProfileId() == p.nvmlProfileId())
                        .findFirst().orElse(null);
                    assertThat(nvml).as("the driver offers NVML profile %d (%s)", p.nvmlProfileId(), p.name())
                        .isNotNull();
                    assertThat(nvml.sliceCount()).as(p.name()).isEqualTo(p.computeSlices());
                    assertThat(nvml.instanceCount()).as(p.name()).isEqualTo(p.maxInstances());
                    String name = MigProfiles.name(nvml.sliceCount(), nvml.sliceCount(), nvml.memoryMiB(),
                        i.memoryTotalBytes()) + (p.mediaExtensions() ? "+me" : "");
                    assertThat(name).isEqualTo(p.name());
                }
                checked++;
            }
            assumeTrue(checked > 0, "no MIG-capable GPU whose driver describes its profiles");
        }
    }
}
