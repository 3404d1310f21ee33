package dev.gpuop.node.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gpuop.node.deviceplugin.config.InvalidConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeAgentConfigTest {

    @TempDir
    Path dir;

    private NodeAgentConfig load(String yaml) throws IOException {
        Path f = dir.resolve("agent.yaml");
        Files.writeString(f, yaml);
        return NodeAgentConfig.load(f);
    }

    @Test
    void metricsAndFeatureLabelsRunUnlessSwitchedOff() throws IOException {
        NodeAgentConfig none = load("server:\n  port: 0\n");
        assertThat(none.exporterEnabled()).isTrue();
        assertThat(none.featureLabelsEnabled()).isTrue();
        NodeAgentConfig off = load("exporter:\n  enabled: false\nfeatureLabels:\n  enabled: false\n");
        assertThat(off.exporterEnabled()).isFalse();
        assertThat(off.featureLabelsEnabled()).isFalse();
        NodeAgentConfig metricsOnly = load("exporter:\n  enabled: true\nfeatureLabels:\n  enabled: false\n");
        assertThat(metricsOnly.exporterEnabled()).isTrue();
        assertThat(metricsOnly.featureLabelsEnabled()).isFalse();
    }

    @Test
    void aTypoInAPartSwitchIsRefusedNamingIt() {
        assertThatThrownBy(() -> load("exporter:\n  enabeld: false\n"))
            .isInstanceOf(InvalidConfigException.class).hasMessageContaining("enabeld");
    }

    /** A file that is not YAML is refused with the parser's one-line complaint and its line, nothing more. */
    @Test
    void brokenYamlIsRefusedOnOneLineWithItsLineNumber() {
        assertThatThrownBy(() -> load("server:\n  port: 0\n exporter: [\n"))
            .isInstanceOf(InvalidConfigException.class)
            .hasMessageContaining("agent.yaml: not YAML: ").hasMessageMatching("[^\\n]*\\(line \\d+\\)")
            .message().doesNotContain("Source:", "^");
    }

    /** The operator's --parts-off: NVIDIA's part names switch exactly those parts off, keeping the rest as set. */
    @Test
    void partsOffSwitchEachNamedPartOffAndRefuseAnUnknownOne() throws IOException {
        NodeAgentConfig c = load("exporter:\n  port: 9500\nserver:\n  port: 0\n");
        NodeAgentConfig noPlugin = c.withPartsOff(java.util.List.of("device-plugin"));
        assertThat(noPlugin.devicePlugin().isEnabled()).isFalse();
        assertThat(noPlugin.exporterEnabled()).isTrue();
        assertThat(noPlugin.featureLabelsEnabled()).isTrue();
        NodeAgentConfig rest = c.withPartsOff(java.util.List.of("gpu-feature-discovery", "dcgm-exporter"));
        assertThat(rest.devicePlugin().isEnabled()).isTrue();
        assertThat(rest.exporterEnabled()).isFalse();
        assertThat(rest.featureLabelsEnabled()).isFalse();
        assertThat(rest.exporterOrDefault().portOrDefault()).isEqualTo(9500);
        assertThat(c.withPartsOff(java.util.List.of())).isEqualTo(c);
        assertThatThrownBy(() -> c.withPartsOff(java.util.List.of("dcgm")))
            .hasMessage("unknown part 'dcgm': the parts a node can switch off are device-plugin, "
                + "gpu-feature-discovery, dcgm-exporter");
    }
}
