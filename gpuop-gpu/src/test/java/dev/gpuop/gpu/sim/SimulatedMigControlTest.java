package dev.gpuop.gpu.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuException;
import dev.gpuop.gpu.MigDevice;
import dev.gpuop.gpu.MigMode;
import dev.gpuop.gpu.NvmlReturn;
import dev.gpuop.gpu.mig.GpuInstance;
import dev.gpuop.gpu.mig.MigActivation;
import dev.gpuop.gpu.mig.MigControl;
import dev.gpuop.gpu.mig.MigLayout;
import dev.gpuop.gpu.mig.MigProfile;
import dev.gpuop.gpu.mig.MigProfileTable;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The simulated driver changes MIG layouts under NVML's rules, and a change outlives the driver handle. */
class SimulatedMigControlTest {

    private static SimulatedGpuHost fresh(String fixture) {
        return SimulatedGpuHost.open(GpuFixtures.load(fixture), Clock.systemUTC());
    }

    private static MigProfile profile(Gpu gpu, String name) {
        return MigProfileTable.forGpu(gpu.info().name(), gpu.info().memoryTotalBytes()).orElseThrow().stream()
            .filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theFixturesMigDevicesSitAtPlacementsNvmlAllowsAndReadAsBefore() {
        try (SimulatedGpuHost host = fresh("a100-mig-mixed")) {
            Gpu gpu = host.gpus().getFirst();
            List<GpuInstance> gis = gpu.migControl().gpuInstances();
            assertThat(gis).hasSize(4);
            boolean[] used = new boolean[8];
            for (GpuInstance g : gis) {
                for (int s = g.start(); s < g.start() + g.size(); s++) {
                    assertThat(used[s]).as("slice %d used twice", s).isFalse();
                    used[s] = true;
                }
            }
            List<String> fixture = GpuFixtures.load("a100-mig-mixed").gpus().getFirst().migDevices().stream()
                .map(FixtureGpu.FixtureMigDevice::uuid).toList();
            assertThat(gpu.info().migDevices()).extracting(MigDevice::uuid).containsExactlyElementsOf(fixture);
            assertThat(gpu.info().migDevices()).extracting(MigDevice::profile)
                .containsExactly("3g.20gb", "2g.10gb", "1g.5gb", "1g.5gb");
        }
    }

    @Test
    void aNewLayoutReplacesTheOldOneAndOutlivesTheDriverHandleButNotAFreshHost() {
        try (SimulatedGpuHost host = fresh("a100-mig-mixed")) {
            Gpu gpu = host.gpus().getFirst();
            MigControl mig = gpu.migControl();
            mig.gpuInstances().forEach(mig::destroy);
            MigProfile small = profile(gpu, "1g.5gb");
            for (int start = 0; start < 7; start++) {
                mig.create(small, start);
            }
            assertThat(gpu.info().migDevices()).hasSize(7).extracting(MigDevice::profile).containsOnly("1g.5gb");
            assertThat(gpu.info().migDevices()).extracting(MigDevice::uuid).doesNotHaveDuplicates()
                .allMatch(u -> u.startsWith("MIG-"));
            assertThat(gpu.info().migDevices()).extracting(MigDevice::multiprocessorCount).containsOnly(14);
            try (SimulatedGpuHost again = host.reopen()) {
                assertThat(again.gpus().getFirst().info().migDevices()).isEqualTo(gpu.info().migDevices());
            }
            try (SimulatedGpuHost other = fresh("a100-mig-mixed")) {
                assertThat(other.gpus().getFirst().info().migDevices()).hasSize(4);
            }
        }
    }

    @Test
    void createRefusesWhatNvmlRefusesAndChangesNothing() {
        try (SimulatedGpuHost host = fresh("a100-mig-mixed")) {
            Gpu gpu = host.gpus().getFirst();
            MigControl mig = gpu.migControl();
            List<GpuInstance> before = mig.gpuInstances();
            assertRefused(() -> mig.create(profile(gpu, "1g.5gb"), before.getFirst().start()),
                NvmlReturn.ERROR_INSUFFICIENT_RESOURCES);
            assertRefused(() -> mig.create(profile(gpu, "3g.20gb"), 2), NvmlReturn.ERROR_INVALID_ARGUMENT);
            mig.gpuInstances().forEach(mig::destroy);
            mig.create(profile(gpu, "1g.5gb+me"), 0);
            assertRefused(() -> mig.create(profile(gpu, "1g.5gb+me"), 1), NvmlReturn.ERROR_INSUFFICIENT_RESOURCES);
            assertRefused(() -> mig.create(profile(gpu, "4g.20gb"), 0), NvmlReturn.ERROR_INSUFFICIENT_RESOURCES);
            mig.create(profile(gpu, "3g.20gb"), 4);
            assertThat(mig.gpuInstances()).extracting(GpuInstance::start).containsExactly(0, 4);
        }
    }

    @Test
    void computeSlicesAndProfileCountsAreLimitedAsOnTheGpu() {
        try (SimulatedGpuHost host = fresh("a100-mig-mixed")) {
            Gpu gpu = host.gpus().getFirst();
            MigControl mig = gpu.migControl();
            mig.gpuInstances().forEach(mig::destroy);
            mig.create(profile(gpu, "3g.20gb"), 0);
            mig.create(profile(gpu, "3g.20gb"), 4);
            // the two 3g instances use 6 of 7 compute slices; memory slices are all taken
            assertRefused(() -> mig.create(profile(gpu, "1g.5gb"), 6), NvmlReturn.ERROR_INSUFFICIENT_RESOURCES);
            mig.gpuInstances().forEach(mig::destroy);
            MigProfile twoSlice = profile(gpu, "2g.10gb");
            mig.create(twoSlice, 0);
            mig.create(twoSlice, 2);
            mig.create(twoSlice, 4);
            assertRefused(() -> mig.create(twoSlice, 6), NvmlReturn.ERROR_INVALID_ARGUMENT);
        }
    }

    @Test
    void modeChangesWaitForIdleGpusAndForAResetWhereThePlatformHasNone() {
        try (SimulatedGpuHost host = fresh("h100-sxm-8x")) {
            Gpu gpu = host.gpus().getFirst();
            MigControl mig = gpu.migControl();
            assertRefused(() -> mig.create(profile(gpu, "1g.10gb"), 0), NvmlReturn.ERROR_NOT_SUPPORTED);
            host.simulateProcesses(0, 1);
            MigActivation busy = mig.setMode(true);
            assertThat(busy.status()).isEqualTo(NvmlReturn.ERROR_IN_USE);
            assertThat(busy.mode()).isEqualTo(new MigMode(false, true));
            assertThat(gpu.info().migMode().changePending()).isTrue();
            host.simulateProcesses(0, 0);
            assertThat(mig.setMode(true).activated()).isTrue();
            assertThat(mig.mode()).isEqualTo(new MigMode(true, true));
            mig.create(profile(gpu, "7g.80gb"), 0);
            assertThat(gpu.info().migDevices()).extracting(MigDevice::profile).containsExactly("7g.80gb");
        }
        GpuFixture vm = GpuFixtures.load("h100-sxm-8x").withMigDriver(new FixtureMigDriver(0, 0, 0, false));
        try (SimulatedGpuHost host = SimulatedGpuHost.open(vm, Clock.systemUTC())) {
            MigControl mig = host.gpus().get(3).migControl();
            MigActivation noReset = mig.setMode(true);
            assertThat(noReset.status()).isEqualTo(NvmlReturn.ERROR_RESET_REQUIRED);
            assertThat(noReset.mode()).isEqualTo(new MigMode(false, true));
            host.simulateReboot();
            assertThat(host.reopen().gpus().get(3).info().migMode()).isEqualTo(new MigMode(true, true));
        }
    }

    @Test
    void nothingIsDestroyedUnderARunningProcess() {
        try (SimulatedGpuHost host = fresh("a100-mig-mixed")) {
            MigControl mig = host.gpus().getFirst().migControl();
            host.simulateProcesses(0, 2);
            assertRefused(() -> mig.destroy(mig.gpuInstances().getFirst()), NvmlReturn.ERROR_IN_USE);
            assertThat(mig.gpuInstances()).hasSize(4);
        }
    }

    @Test
    void aGpuWithoutMigHasNoControl() {
        try (SimulatedGpuHost host = fresh("mx150-laptop")) {
            assertRefused(() -> host.gpus().getFirst().migControl(), NvmlReturn.ERROR_NOT_SUPPORTED);
        }
    }

    /**
     * The simulator's rules and {@link MigLayout}'s search are written apart: every layout the search places, the
     * simulated driver creates at exactly those placements (2,000 seeded layouts of an A100 40GB).
     */
    @Test
    void everyLayoutTheSearchPlacesTheSimulatedDriverCreates() {
        Random random = new Random(17);
        int placed = 0;
        try (SimulatedGpuHost host = fresh("a100-mig-mixed")) {
            {
                Gpu gpu = host.gpus().getFirst();
                MigControl mig = gpu.migControl();
                List<MigProfile> table = MigProfileTable.forGpu(gpu.info().name(), gpu.info().memoryTotalBytes())
                    .orElseThrow();
                for (int n = 0; n < 2_000; n++) {
                    Map<String, Integer> wanted = new LinkedHashMap<>();
                    for (int k = random.nextInt(5); k >= 0; k--) {
                        wanted.merge(table.get(random.nextInt(table.size())).name(), 1, Integer::sum);
                    }
                    MigLayout.Result r = MigLayout.place(table, wanted);
                    mig.gpuInstances().forEach(mig::destroy);
                    if (!r.fits()) {
                        continue;
                    }
                    placed++;
                    for (MigLayout.Placement p : r.placements()) {
                        mig.create(p.profile(), p.start());
                    }
                    Set<String> names = gpu.info().migDevices().stream().map(MigDevice::profile)
                        .collect(Collectors.toSet());
                    assertThat(names).isEqualTo(wanted.keySet().stream().map(w -> w.replace("+me", ""))
                        .collect(Collectors.toSet()));
                }
            }
        }
        assertThat(placed).as("layouts that fit").isGreaterThan(500);
    }

    private static void assertRefused(Runnable call, NvmlReturn code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(GpuException.class,
            e -> assertThat(e.code()).isEqualTo(code));
    }
}
