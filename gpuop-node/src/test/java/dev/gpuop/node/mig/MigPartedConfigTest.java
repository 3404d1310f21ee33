package dev.gpuop.node.mig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MigPartedConfigTest {

    static final String SOURCE = "ConfigMap gpu-operator/custom-mig-config";

    static String sample() {
        try (InputStream in = MigPartedConfigTest.class.getResourceAsStream("/mig/mig-parted-config.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void readsNvidiasFormat() {
        MigPartedConfig c = MigPartedConfig.parse(sample(), SOURCE);
        assertThat(c.configs()).containsOnlyKeys("all-disabled", "all-enabled", "all-balanced", "all-3g.71gb",
            "half-and-half");
        MigPartedConfig.Entry h200 = c.configs().get("all-balanced").get(1);
        assertThat(h200.devices()).isEmpty();
        assertThat(h200.deviceFilter()).containsExactly(0x233510de);
        assertThat(h200.migDevices()).containsExactly(Map.entry("1g.18gb", 2), Map.entry("2g.35gb", 1),
            Map.entry("3g.71gb", 1));
        assertThat(c.configs().get("all-balanced").get(0).deviceFilter()).containsExactly(0x233010de, 0x20b210de);
        MigPartedConfig.Entry half = c.configs().get("half-and-half").get(1);
        assertThat(half.devices()).contains(List.of(4, 5, 6, 7));
        assertThat(half.selects(5, 0x233010de)).isTrue();
        assertThat(half.selects(3, 0x233010de)).isFalse();
        assertThat(h200.selects(0, 0x233010de)).isFalse();
        assertThat(c.configs().get("all-enabled").getFirst()).isEqualTo(
            new MigPartedConfig.Entry(Optional.empty(), List.of(), true, Map.of()));
    }

    @Test
    void aDeviceIdReadsTheSameQuotedOrNot() {
        String quoted = "version: v1\nmig-configs: {a: [{devices: all, mig-enabled: false, "
            + "device-filter: '0x233510DE'}]}";
        MigPartedConfig q = MigPartedConfig.parse(quoted, SOURCE);
        MigPartedConfig plain = MigPartedConfig.parse(quoted.replace("'", ""), SOURCE);
        assertThat(plain).isEqualTo(q);
        assertThat(q.configs().get("a").getFirst().deviceFilter()).containsExactly(0x233510de);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "version: v2|version: 'v2'; the only version is v1",
        "mig-configs: {}|version: missing",
        "version: v1|mig-configs: missing",
        "version: v1\\nmig-configs: {}|mig-configs: empty",
        "version: v1\\nmig-config: {}|mig-config: unknown field; allowed: mig-configs, version",
        "version: v1\\nmig-configs: {a: {devices: all}}|mig-configs.a: expected a list of entries",
        "version: v1\\nmig-configs: {a: [{devices: all}]}|mig-configs.a[0].mig-enabled: missing",
        "version: v1\\nmig-configs: {a: [{devices: all, mig-enabled: 'yes'}]}|mig-configs.a[0].mig-enabled: 'yes'",
        "version: v1\\nmig-configs: {a: [{mig-enabled: true}]}|mig-configs.a[0].devices: missing",
        "version: v1\\nmig-configs: {a: [{devices: some, mig-enabled: true}]}|mig-configs.a[0].devices: expected all",
        "version: v1\\nmig-configs: {a: [{devices: [0, -1], mig-enabled: true}]}|mig-configs.a[0].devices[1]: ",
        "version: v1\\nmig-configs: {a: [{devices: [0, 0], mig-enabled: true}]}|devices[1]: GPU 0 is listed twice",
        "version: v1\\nmig-configs: {a: [{devices: all, mig-enabled: true, devcies: x}]}|mig-configs.a[0].devcies: "
            + "unknown field",
        "version: v1\\nmig-configs: {a: [{devices: all, mig-enabled: true, device-filter: 0x2335}]}|"
            + "mig-configs.a[0].device-filter: expected a PCI device id",
        "version: v1\\nmig-configs: {a: [{devices: all, mig-enabled: true, device-filter: [0x233510DE, x]}]}|"
            + "mig-configs.a[0].device-filter[1]: ",
        "version: v1\\nmig-configs: {a: [{devices: all, mig-enabled: true, mig-devices: {3g: 1}}]}|"
            + "mig-configs.a[0].mig-devices.3g: not a MIG profile name",
        "version: v1\\nmig-configs: {a: [{devices: all, mig-enabled: true, mig-devices: {3g.40gb: -1}}]}|"
            + "mig-configs.a[0].mig-devices.3g.40gb: expected a count from 0 to 7, got '-1'",
        "version: v1\\nmig-configs: {a: [{devices: all, mig-enabled: true, mig-devices: {3g.40gb: two}}]}|"
            + "got 'two'",
        "version: v1\\nmig-configs: {a: [{devices: all, mig-enabled: false, mig-devices: {3g.40gb: 1}}]}|"
            + "mig-configs.a[0].mig-devices: MIG devices asked with mig-enabled: false",
        "version: v1\\nmig-configs: {a: [], a: []}|not YAML: Duplicate field 'a'",
        "version: v1\\nmig-configs: [a|not YAML: ",
        "'- x'|(the document): expected a mapping, got a list"})
    void refusalsNameTheField(String yaml, String expected) {
        assertThatThrownBy(() -> MigPartedConfig.parse(yaml.replace("\\n", "\n"), SOURCE))
            .isInstanceOf(InvalidMigConfigException.class)
            .hasMessageStartingWith(SOURCE + ": ").hasMessageContaining(expected);
    }

    @Test
    void anUnknownLayoutNamesTheLabelAndTheLayoutsThereAre() {
        MigPartedConfig c = MigPartedConfig.parse(sample(), SOURCE);
        assertThatThrownBy(() -> c.layout("all-1g.5gb", SOURCE)).isInstanceOf(InvalidMigConfigException.class)
            .hasMessage("nvidia.com/mig.config=all-1g.5gb: no such layout in " + SOURCE + "; it has all-3g.71gb, "
                + "all-balanced, all-disabled, all-enabled, half-and-half");
    }
}
