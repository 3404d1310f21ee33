package dev.gpuop.node.toolkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Checks a config the way containerd will read it, before containerd is told: parsed back with NightConfig, and,
 * where the containerd binary is present, loaded by it ({@code containerd --config FILE config dump}), which also
 * follows the file's imports (our drop-in).
 */
public final class ConfigVerifier {

    private final Path binary;

    /** A verifier using the given containerd binary, or only the TOML parser when it is null. */
    public ConfigVerifier(Path binary) {
        this.binary = binary;
    }

    /** True when a containerd binary takes part in the check. */
    public boolean usesContainerd() {
        return binary != null;
    }

    /** Parses the text as TOML; a failure names the file. */
    public void parse(Path file, String text) {
        ContainerdToml.parse(text, file);
    }

    /**
     * Has containerd load the config file; returns null when it loads, else containerd's complaint.
     */
    public String load(Path config) {
        if (binary == null) {
            return null;
        }
        try {
            Process p = new ProcessBuilder(binary.toString(), "--config", config.toString(), "config", "dump")
                .redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "containerd config dump did not finish in 30 s";
            }
            if (p.exitValue() == 0) {
                return null;
            }
            String text = new String(out, StandardCharsets.UTF_8).strip();
            return text.lines().reduce((a, b) -> b).orElse("exit " + p.exitValue());
        } catch (IOException e) {
            return "cannot run " + binary + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Has containerd load a config given as text (a rendered K3s template), through a temp file. */
    public String loadText(String config) {
        if (binary == null) {
            return null;
        }
        try {
            Path dir = Files.createTempDirectory("gpuop-check");
            Path file = dir.resolve("config.toml");
            try {
                Files.writeString(file, config);
                return load(file);
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            return "cannot write a temp file for the check: " + e.getMessage();
        }
    }
}
