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
 * What the running containerd loaded, as it tells the kubelet over CRI ({@code Status} with verbose info): its
 * runtime handlers and CDI settings. Not the config file: a file can name a handler that a containerd started before
 * the edit, or one that rejected the file, does not have.
 *
 * @param socket the socket asked
 * @param version containerd's version, when it answered
 * @param handlers the runtime handlers in its loaded config
 * @param enableCdi whether its CRI plugin resolves CDI device names
 * @param cdiSpecDirs where it reads CDI specs
 * @param error why it could not be asked, or null
 */
public record ContainerdView(Path socket, String version, List<String> handlers, boolean enableCdi,
                             List<String> cdiSpecDirs, String error) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Asks the containerd on this socket. */
    public static ContainerdView ask(Path socket, Duration timeout) {
        if (!Files.exists(socket)) {
            return failed(socket, "no socket at " + socket);
        }
        try (CriClient cri = CriClient.of(socket)) {
            String version = cri.version(timeout).getRuntimeVersion();
            return parse(socket, version, cri.status(timeout).getInfoOrDefault("config", "{}"));
        } catch (StatusRuntimeException e) {
            return failed(socket, "containerd does not answer on " + socket + ": " + e.getStatus().getCode()
                + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription()));
        }
    }

    /** Reads the CRI plugin's config JSON ({@code info["config"]}). */
    public static ContainerdView parse(Path socket, String version, String configJson) {
        try {
            JsonNode config = JSON.readTree(configJson);
            List<String> handlers = new ArrayList<>();
            config.path("containerd").path("runtimes").fieldNames().forEachRemaining(handlers::add);
            List<String> dirs = new ArrayList<>();
            config.path("cdiSpecDirs").forEach(d -> dirs.add(d.asText()));
            // containerd 2.x dropped the switch: CDI is always on there
            JsonNode switchedOn = config.get("enableCDI");
            boolean cdi = switchedOn != null ? switchedOn.asBoolean() : version != null && !version.matches("v?1\\..*");
            return new ContainerdView(socket, version, List.copyOf(handlers), cdi, List.copyOf(dirs), null);
        } catch (IOException e) {
            return failed(socket, "containerd's CRI config is not JSON: " + e.getMessage());
        }
    }

    public static ContainerdView failed(Path socket, String why) {
        return new ContainerdView(socket, null, List.of(), false, List.of(), why);
    }
}
