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
}
