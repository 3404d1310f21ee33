package dev.gpuop.node.toolkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The containerd configs under test/resources: the seed's RKE2/K3s ones, stock defaults, hand-written ones. */
final class ToolkitFixtures {

    static final String BASE = "/dev/gpuop/node/toolkit/";

    private ToolkitFixtures() {
    }

    /** A resource's text. */
    static String text(String resource) {
        try (InputStream in = ToolkitFixtures.class.getResourceAsStream(BASE + resource)) {
            if (in == null) {
                return null;
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies a fixture to a file, with {@code @DIR@} replaced by the file's directory. */
    static Path install(String fixture, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text("fixtures/" + fixture).replace("@DIR@", file.getParent().toString()));
        return file;
    }

    /** The settings of the golden cases: the seed's host runtime, CDI on, spec in /var/run/cdi. */
    static ToolkitSettings settings(boolean setAsDefault) {
        return new ToolkitSettings("nvidia", "/usr/bin/nvidia-container-runtime", null, true, "/var/run/cdi",
            setAsDefault, ToolkitSettings.RUNC_V2);
    }
}
