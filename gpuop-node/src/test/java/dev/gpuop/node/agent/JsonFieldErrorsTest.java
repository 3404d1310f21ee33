package dev.gpuop.node.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gpuop.node.deviceplugin.config.InvalidConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node agent's config refused by field path and what is allowed there. */
class JsonFieldErrorsTest {

    @TempDir
    Path dir;

    private String refusal(String yaml) throws Exception {
        Path f = Files.writeString(dir.resolve("agent.yaml"), yaml);
        try {
            NodeAgentConfig.load(f);
        } catch (InvalidConfigException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + yaml);
    }

    @Test
    void unknownFieldsWrongTypesAndListsAreNamedByPath() throws Exception {
        assertThat(refusal("exporter:\n  enabeld: false\n"))
            .endsWith("agent.yaml: exporter.enabeld: unknown field; allowed: enabled, port");
        assertThat(refusal("server:\n  port: eighty\n")).endsWith("server.port: 'eighty' is not a whole number");
        assertThat(refusal("featureLabels:\n  enabled: maybe\n"))
            .endsWith("featureLabels.enabled: 'maybe' is not true or false");
        assertThat(refusal("devicePlugin: [1, 2]\n")).endsWith("devicePlugin: expected a mapping");
        assertThat(refusal("bogus: 1\n")).contains("bogus: unknown field; allowed: cdi, devicePlugin,")
            .doesNotContain("Source: UNKNOWN").doesNotContain("dev.gpuop");
    }

    @Test
    void aYamlSyntaxErrorKeepsTheParsersMessage() {
        assertThatThrownBy(() -> NodeAgentConfig.load(Files.writeString(dir.resolve("a.yaml"), "server: [\n")))
            .isInstanceOf(InvalidConfigException.class).hasMessageContaining("a.yaml");
        assertThat(JsonFieldErrors.describe(new IllegalStateException("not Jackson"))).isNull();
    }
}
