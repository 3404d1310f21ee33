package dev.gpuop.node.deviceplugin.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DevicePluginSettingsTest {

    @Test
    void nvidiasDocumentedConfigIsReadUnchanged() throws Exception {
        Path file = Path.of(getClass().getResource("/nvidia-device-plugin-config.yaml").toURI());
        DevicePluginSettings s = DevicePluginConfigs.load(file, Map.of());
        assertThat(s.migStrategy()).isEqualTo(MigStrategy.NONE);
        assertThat(s.failOnInitError()).isTrue();
        assertThat(s.deviceListStrategies()).containsExactly(DeviceListStrategy.ENVVAR);
        assertThat(s.indexIds()).isFalse();
        assertThat(s.passDeviceSpecs()).isFalse();
        Replication r = s.replication().orElseThrow();
        assertThat(r.kind()).isEqualTo(Replication.Kind.TIME_SLICING);
        assertThat(r.replicasOf("nvidia.com/gpu")).isEqualTo(4);
        assertThat(r.renameByDefault()).isFalse();
        assertThat(r.failRequestsGreaterThanOne()).isFalse();
    }

    @Test
    void defaultsAreNvidias() {
        DevicePluginSettings s = DevicePluginSettings.DEFAULTS;
        assertThat(s.migStrategy()).isEqualTo(MigStrategy.NONE);
        assertThat(s.failOnInitError()).isTrue();
        assertThat(s.deviceListStrategies()).containsExactly(DeviceListStrategy.ENVVAR);
        assertThat(s.cdiAnnotationPrefix()).isEqualTo("cdi.k8s.io/");
        assertThat(s.devRoot()).isEqualTo("/");
        assertThat(s.replication()).isEmpty();
        assertThat(s.mpsRoot()).isEqualTo("/run/nvidia/mps");
    }

    @Test
    void theMpsRootComesFromTheFileOrMpsRootAndMustBeAbsolute() {
        assertThat(DevicePluginConfigs.parse("flags: {mpsRoot: /srv/mps}", "f", Map.of()).mpsRoot())
            .isEqualTo("/srv/mps");
        assertThat(DevicePluginConfigs.parse("flags: {mpsRoot: /srv/mps}", "f", Map.of("MPS_ROOT", "/run/x"))
            .mpsRoot()).isEqualTo("/run/x");
        assertThatThrownBy(() -> DevicePluginConfigs.parse("flags: {mpsRoot: run/mps}", "f", Map.of()))
            .hasMessage("f: flags.mpsRoot: 'run/mps' must be an absolute path");
        assertThatThrownBy(() -> DevicePluginConfigs.parse("", "f", Map.of("MPS_ROOT", "mps")))
            .hasMessageContaining("MPS_ROOT: 'mps' must be an absolute path");
    }

    @Test
    void jsonAndSingleStringStrategyAndMpsDefaults() {
        DevicePluginSettings s = DevicePluginConfigs.parse("""
            {"flags": {"migStrategy": "single", "plugin": {"deviceListStrategy": "cdi-cri",
             "deviceIDStrategy": "index"}},
             "sharing": {"mps": {"resources": [{"name": "nvidia.com/gpu", "replicas": 2}]}}}
            """, "inline", Map.of());
        assertThat(s.migStrategy()).isEqualTo(MigStrategy.SINGLE);
        assertThat(s.deviceListStrategies()).containsExactly(DeviceListStrategy.CDI_CRI);
        assertThat(s.needsRuntimeHints()).isFalse();
        assertThat(s.indexIds()).isTrue();
        assertThat(s.replication().orElseThrow().kind()).isEqualTo(Replication.Kind.MPS);
        assertThat(s.replication().orElseThrow().failRequestsGreaterThanOne()).as("MPS default").isTrue();
    }

    /** MPS shares whole GPUs: with MIG strategy mixed it is refused, naming where the strategy came from. */
    @Test
    void mpsWithMigStrategyMixedIsRefused() {
        String mps = "sharing: {mps: {resources: [{name: nvidia.com/gpu, replicas: 2}]}}\n";
        assertThatThrownBy(() -> DevicePluginConfigs.parse("flags: {migStrategy: mixed}\n" + mps, "f",
            Map.of()))
            .hasMessageContaining("sharing.mps and flags.migStrategy: MPS cannot share MIG devices, and "
                + "flags.migStrategy is mixed");
        assertThatThrownBy(() -> DevicePluginConfigs.parse(mps, "f", Map.of("MIG_STRATEGY", "mixed")))
            .hasMessageContaining("and MIG_STRATEGY is mixed");
        assertThat(DevicePluginConfigs.parse(mps, "f", Map.of("MIG_STRATEGY", "single")).replication()).isPresent();
    }

    @Test
    void environmentOverridesTheFile() {
        DevicePluginSettings s = DevicePluginConfigs.parse("flags: {migStrategy: none}", "f",
            Map.of("MIG_STRATEGY", "single", "DEVICE_LIST_STRATEGY", "envvar,volume-mounts",
                "PASS_DEVICE_SPECS", "true", "NVIDIA_DRIVER_ROOT", "/run/nvidia/driver"));
        assertThat(s.migStrategy()).isEqualTo(MigStrategy.SINGLE);
        assertThat(s.deviceListStrategies()).isEqualTo(Set.of(DeviceListStrategy.ENVVAR,
            DeviceListStrategy.VOLUME_MOUNTS));
        assertThat(s.passDeviceSpecs()).isTrue();
        assertThat(s.devRoot()).isEqualTo("/run/nvidia/driver");
    }

    @Test
    void badValuesNameTheFieldAndTheSource() {
        assertThatThrownBy(() -> DevicePluginConfigs.parse("flags: {migStrategy: mixd}", "cm/config.yaml", Map.of()))
            .isInstanceOf(InvalidConfigException.class)
            .hasMessage("cm/config.yaml: flags.migStrategy: 'mixd' is not one of none, single, mixed");
        assertThatThrownBy(() -> DevicePluginConfigs.parse("version: v2", "f", Map.of()))
            .hasMessageContaining("version: 'v2' is not supported");
        assertThatThrownBy(() -> DevicePluginConfigs.parse(
            "flags: {plugin: {deviceListStrategy: [envvar, cdi]}}", "f", Map.of()))
            .hasMessageContaining("flags.plugin.deviceListStrategy: 'cdi'");
        assertThatThrownBy(() -> DevicePluginConfigs.parse(
            "sharing: {timeSlicing: {resources: [{name: nvidia.com/gpu, replicas: 1}]}}", "f", Map.of()))
            .hasMessageContaining("sharing.timeSlicing.resources[0].replicas: 1 must be 2 or more");
        assertThatThrownBy(() -> DevicePluginConfigs.parse("version: 'v1\n", "f", Map.of()))
            .hasMessage("f: not a device plugin config: while scanning a quoted scalar; found unexpected end of "
                + "stream (line 1)");
        // Jackson meets the list where flags' mapping belongs before the missing `]`: the field is named
        assertThatThrownBy(() -> DevicePluginConfigs.parse("flags: [", "f", Map.of()))
            .hasMessage("f: flags: expected a mapping (line 1)");
        assertThatThrownBy(() -> DevicePluginConfigs.parse(
            "sharing: {timeSlicing: {resources: [{name: nvidia.com/gpu, replicas: four}]}}", "f", Map.of()))
            .hasMessage("f: sharing.timeSlicing.resources[0].replicas: 'four' is not a whole number (line 1)");
        assertThatThrownBy(() -> DevicePluginConfigs.parse("sharing: {mps: {resources: [null]}}", "f", Map.of()))
            .hasMessage("f: sharing.mps.resources[0]: empty; each entry needs a name and replicas");
        assertThatThrownBy(() -> DevicePluginConfigs.parse("flags: {}", "f", Map.of("PASS_DEVICE_SPECS", "yes")))
            .hasMessageContaining("PASS_DEVICE_SPECS: 'yes' is not true or false");
        // the file says none: the refusal must send the admin to the variable that overrides it
        assertThatThrownBy(() -> DevicePluginConfigs.parse("flags: {migStrategy: none}", "f",
            Map.of("MIG_STRATEGY", "yes"))).hasMessage("f: MIG_STRATEGY: 'yes' is not one of none, single, mixed");
    }
}
