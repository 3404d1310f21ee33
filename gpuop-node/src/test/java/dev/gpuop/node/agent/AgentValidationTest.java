package dev.gpuop.node.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which containerd socket the toolkit check asks, under the host's root as the agent's pod sees it. */
class AgentValidationTest {

    @TempDir
    Path host;

    @Test
    void theOperatorsSocketWinsElseTheOneThatExistsUnderTheHostRootElsePlainContainerds() throws Exception {
        assertThat(AgentValidation.containerdSocket("/var/lib/testenv/containerd.sock", host))
            .isEqualTo("/var/lib/testenv/containerd.sock");
        assertThat(AgentValidation.containerdSocket(null, host)).isEqualTo("/run/containerd/containerd.sock");
        Files.createDirectories(host.resolve("run/k3s/containerd"));
        Files.writeString(host.resolve("run/k3s/containerd/containerd.sock"), "");
        assertThat(AgentValidation.containerdSocket(" ", host)).isEqualTo("/run/k3s/containerd/containerd.sock");
    }
}
