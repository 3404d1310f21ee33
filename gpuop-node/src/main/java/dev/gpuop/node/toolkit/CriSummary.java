package dev.gpuop.node.toolkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the running containerd reports over CRI, in one line: version, loaded runtime handlers, CDI settings.
 * Kept out of the CLI's command classes so that they load without gRPC on the class path.
 */
public final class CriSummary {

    private CriSummary() {
    }

    /** The line for {@code gpuop toolkit status}; says so when nothing answers. */
    public static String of(Path socket) {
        if (!Files.exists(socket)) {
            return "absent (containerd not running here)";
        }
        try (CriClient cri = CriClient.of(socket)) {
            var version = cri.version(Duration.ofSeconds(3));
            JsonNode config = new ObjectMapper().readTree(cri.status(Duration.ofSeconds(3))
                .getInfoOrDefault("config", "{}"));
            List<String> handlers = new ArrayList<>();
            config.path("containerd").path("runtimes").fieldNames().forEachRemaining(handlers::add);
            return version.getRuntimeName() + " " + version.getRuntimeVersion() + ", handlers " + handlers
                + ", enableCDI " + config.path("enableCDI").asText("n/a")
                + ", cdiSpecDirs " + config.path("cdiSpecDirs");
        } catch (StatusRuntimeException | IOException e) {
            return "does not answer (" + e.getMessage() + ")";
        }
    }
}
