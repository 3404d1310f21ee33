package dev.gpuop.node.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every field of dcgm-exporter's default files is exported under its type, or its absence is explained. */
class DcgmFieldsTest {

    static Map<String, String> nvidiaDefaults() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (InputStream in = DcgmFieldsTest.class.getResourceAsStream("dcgm-exporter-default-fields.txt")) {
            new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .forEach(l -> out.put(l.split(" ")[0], l.split(" ")[1]));
        }
        return out;
    }

    @Test
    void everyDefaultFieldIsExportedWithItsTypeOrNamedAsNotRead() throws IOException {
        Map<String, String> defaults = nvidiaDefaults();
        assertThat(defaults).hasSize(26);
        Map<String, DcgmField.Type> exported = DcgmFields.exported();
        defaults.forEach((name, type) -> {
            if (DcgmFields.NOT_READ.containsKey(name)) {
                assertThat(exported).as(name).doesNotContainKey(name);
            } else {
                assertThat(exported).as(name).containsKey(name);
                assertThat(exported.get(name).id()).as(name).isEqualTo(type);
            }
        });
        assertThat(defaults.keySet()).containsAll(DcgmFields.NOT_READ.keySet());
        long read = defaults.keySet().stream().filter(exported::containsKey).count();
        assertThat(read).isEqualTo(17);
    }

    @Test
    void theCountersAreCountersAndNoNameEndsInTotalSuffixAdded() {
        assertThat(DcgmFields.exported()).containsEntry("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", DcgmField.Type.COUNTER)
            .containsEntry("DCGM_FI_DEV_PCIE_REPLAY_COUNTER", DcgmField.Type.COUNTER)
            .containsEntry("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", DcgmField.Type.COUNTER);
        assertThat(DcgmFields.READ).filteredOn(DcgmField::slow).extracting(DcgmField::name)
            .contains("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", "DCGM_FI_DEV_PCIE_REPLAY_COUNTER")
            .doesNotContain("DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED");
    }
}
