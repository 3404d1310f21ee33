package dev.gpuop.node.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.GpuReadings;
import dev.gpuop.gpu.sim.Faults;
import dev.gpuop.gpu.sim.GpuFixtures;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** dcgm-exporter's text: names, types, labels in its order, pod labels, the XID gauge, slow reads from the cache. */
class DcgmExpositionTest {

    private static List<String> series(String text, String name) {
        return text.lines().filter(l -> l.startsWith(name + "{")).toList();
    }

    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    @Test
    void everyGpuGetsDcgmNamesLabelsInOrderAndUnits() {
        try (GpuHost host = SimulatedGpuHost.open("h100-sxm-8x")) {
            Gpu gpu3 = host.gpus().get(3);
            String text = new DcgmExposition(host, "gpu-node-1", uuid -> null, Map::of, uuid -> null).render();
            assertThat(series(text, "DCGM_FI_DEV_GPU_UTIL")).hasSize(8);
            String line = series(text, "DCGM_FI_DEV_MEMORY_TEMP").get(3);
            assertThat(line).isEqualTo("DCGM_FI_DEV_MEMORY_TEMP{gpu=\"3\",UUID=\"" + gpu3.info().uuid()
                + "\",pci_bus_id=\"" + gpu3.info().pciBusId() + "\",device=\"nvidia" + gpu3.info().minorNumber()
                + "\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname=\"gpu-node-1\",DCGM_FI_DRIVER_VERSION=\""
                + host.driverVersion() + "\"} " + gpu3.memoryTemperatureCelsius());
            GpuReadings r = GpuReadings.read(gpu3);
            assertThat(series(text, "DCGM_FI_DEV_FB_USED").get(3))
                .endsWith("} " + (long) (r.memory().usedBytes() / (1024.0 * 1024.0)));
            assertThat(value(series(text, "DCGM_FI_DEV_POWER_USAGE").get(3))).isEqualTo(r.powerMilliwatts() / 1000.0);
            assertThat(text).contains("# TYPE DCGM_FI_DEV_GPU_TEMP gauge\n")
                .contains("# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).\n")
                .doesNotContain("_total").doesNotContain("container=");
        }
    }

    @Test
    void slowFieldsComeOnlyFromTheSamplersCacheAndCountersStayCounters() {
        try (GpuHost host = SimulatedGpuHost.open("h200")) {
            String uuid = host.gpus().getFirst().info().uuid();
            String before = new DcgmExposition(host, "n", u -> null, Map::of, u -> null).render();
            assertThat(series(before, "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION")).isEmpty();
            GpuReadings slow = GpuReadings.slow(host.gpus().getFirst());
            String after = new DcgmExposition(host, "n", u -> u.equals(uuid) ? slow : null, Map::of, u -> null)
                .render();
            assertThat(after).contains("# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter\n")
                .contains("# TYPE DCGM_FI_DEV_PCIE_REPLAY_COUNTER counter\n");
            assertThat(series(after, "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION")).singleElement().asString()
                .endsWith("} 2210725");
            assertThat(series(after, "DCGM_FI_DEV_ROW_REMAP_FAILURE")).singleElement().asString().endsWith("} 0");
        }
    }

    @Test
    void aHeldGpuCarriesItsPodAndTheLastXidItsCodeAndText() {
        try (GpuHost host = SimulatedGpuHost.open("h100-sxm-8x")) {
            String held = host.gpus().get(2).info().uuid();
            String text = new DcgmExposition(host, "gpu-node-1", u -> null,
                () -> Map.of(held, new PodDevices.PodRef("ml", "trainer-0", "main")),
                u -> u.equals(held) ? 79L : null).render();
            List<String> util = series(text, "DCGM_FI_DEV_GPU_UTIL");
            assertThat(util.get(2)).contains(",container=\"main\",namespace=\"ml\",pod=\"trainer-0\"}");
            assertThat(util).filteredOn(l -> l.contains("pod=")).hasSize(1);
            List<String> xid = series(text, DcgmFields.XID_ERRORS);
            assertThat(xid).hasSize(8);
            assertThat(xid.get(2)).contains("err_code=\"79\",err_msg=\"GPU has fallen off the bus\"").endsWith("} 79");
            assertThat(xid.get(0)).contains("err_code=\"0\",err_msg=\"No Error\"").endsWith("} 0");
            assertThat(text).contains("# TYPE DCGM_FI_DEV_XID_ERRORS gauge\n");
        }
    }

    @Test
    void labelValuesAreEscapedAndALostGpuIsLeftOutWhileTheOthersReport() {
        var fixture = GpuFixtures.load("h100-sxm-8x").withFaults(new Faults(null, false, null,
            List.of(new Faults.BusFault(4, 0))));
        try (GpuHost host = SimulatedGpuHost.open(fixture, Clock.systemUTC())) {
            String text = new DcgmExposition(host, "node \"a\"\\b", u -> null, Map::of, u -> null).render();
            List<String> temp = series(text, "DCGM_FI_DEV_GPU_TEMP");
            assertThat(temp).hasSize(7).noneMatch(l -> l.contains("gpu=\"4\""));
            assertThat(temp.getFirst()).contains("Hostname=\"node \\\"a\\\"\\\\b\"");
        }
    }
}
