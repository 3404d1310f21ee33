package dev.gpuop.node.toolkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real containerd started by a test: its own root, state and socket under the test's temp dir, no system service
 * touched. The config it gets is the one under test with the host paths a stock config names (opt dir, NRI and
 * ttrpc sockets, K3s data dirs) moved into the temp dir, so that it cannot disturb another containerd here.
 */
final class TestContainerd implements AutoCloseable {

    final Path socket;
    final Path log;
    private final Process process;

    private TestContainerd(Path socket, Path log, Process process) {
        this.socket = socket;
        this.log = log;
        this.process = process;
    }

    static TestContainerd start(Path binary, String config, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path file = dir.resolve("effective.toml");
        Files.writeString(file, isolate(config, dir));
        Path socket = dir.resolve("containerd.sock");
        Path log = dir.resolve("containerd.log");
        Process p = new ProcessBuilder(binary.toString(), "--config", file.toString(), "--root",
            dir.resolve("root").toString(), "--state", dir.resolve("state").toString(), "--address",
            socket.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        TestContainerd c = new TestContainerd(socket, log, p);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("containerd exited " + p.exitValue() + ":\n" + Files.readString(log));
            }
            if (CriClient.answers(socket, Duration.ofSeconds(1)).isPresent()) {
                return c;
            }
            Thread.sleep(100);
        }
        c.close();
        throw new IllegalStateException("containerd did not answer in 30 s:\n" + Files.readString(log));
    }

    /** Moves the host paths a config names into the dir (only quoted absolute paths, not the test's own). */
    static String isolate(String config, Path dir) {
        String out = config;
        for (String[] move : new String[][] {{"/opt/containerd", "opt"}, {"/var/run/nri/nri.sock", "nri.sock"},
            {"/run/containerd/containerd.sock.ttrpc", "ttrpc.sock"}, {"/var/lib/rancher/", "rancher/"},
            {"/run/k3s/containerd", "k3s-state"}}) {
            out = out.replaceAll("([\"'])" + java.util.regex.Pattern.quote(move[0]),
                "$1" + java.util.regex.Matcher.quoteReplacement(dir + "/" + move[1]));
        }
        return out;
    }

    /** The CRI config containerd loaded ({@code Status} verbose, {@code info["config"]}). */
    JsonNode criConfig() throws IOException {
        try (CriClient cri = CriClient.of(socket)) {
            return new ObjectMapper().readTree(cri.status(Duration.ofSeconds(5)).getInfoOrThrow("config"));
        }
    }

    /** The runtime handler names containerd loaded. */
    List<String> handlers() throws IOException {
        List<String> names = new ArrayList<>();
        criConfig().path("containerd").path("runtimes").fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
