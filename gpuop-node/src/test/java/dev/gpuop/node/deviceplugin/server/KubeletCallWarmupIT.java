package dev.gpuop.node.deviceplugin.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warm-up's calls against a real server on a real Unix socket: all answered, nothing left open. */
class KubeletCallWarmupIT {

    @TempDir
    Path dir;

    private ServedSimulatedGpus served;
    private ResourceServer server;
    private List<String> ids;

    @BeforeEach
    void serve() {
        served = ServedSimulatedGpus.start(dir);
        server = served.server;
        ids = served.ids;
    }

    @AfterEach
    void stop() throws Exception {
        served.close();
    }

    @Test
    void everyCallIsAnsweredAndNoListAndWatchStreamStaysOpen() throws Exception {
        int answered = KubeletCallWarmup.run(server.socketPath(), ids, 40, 5);
        // 40 preferred + allocate pairs, 5 connections with options and one list each
        assertThat(answered).isEqualTo(90);
        // a stream left open would get every later health change for nobody
        assertThat(awaitNoWatchers()).isZero();
    }

    /**
     * The rehearsed kubelet restarts register every new server with their own registration socket, in a temporary
     * directory they remove, never in the kubelet's.
     */
    @Test
    void restartsAreRehearsedOutsideTheKubeletsDirectoryAndLeaveNothing() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        java.util.function.Supplier<List<Path>> leftovers = () -> {
            try (var files = java.nio.file.Files.list(tmp)) {
                return files.filter(f -> f.getFileName().toString().startsWith("gpuop-dp-warmup")).toList();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        List<Path> before = leftovers.get();
        try (var inDir = java.nio.file.Files.list(dir)) {
            assertThat(RestartRehearsal.run(server, 12)).isEqualTo(12);
            assertThat(inDir.toList()).containsExactly(server.socketPath());
        }
        assertThat(leftovers.get()).containsExactlyInAnyOrderElementsOf(before);
        assertThat(KubeletCallWarmup.run(server.socketPath(), ids, 2, 1)).as("the real server still answers")
            .isEqualTo(6);
    }

    /** A settling round is a new connection with its stream, then the pairs; the stream ends with the round. */
    @Test
    void aSettlingRoundIsAnsweredAndLeavesNoStreamOpen() throws Exception {
        assertThat(KubeletCallWarmup.round(server.socketPath(), ids, 30)).as("30 pairs answered").isEqualTo(60);
        assertThat(awaitNoWatchers()).isZero();
    }

    /** The open ListAndWatch streams once they are gone, or after 5 s. */
    private int awaitNoWatchers() throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.watcherCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return server.watcherCount();
    }

    /** Settling against a server that is gone ends at its first round and says so, for the agent's log. */
    @Test
    void settlingAgainstAStoppedServerEndsAtOnce() {
        Path socket = server.socketPath();
        server.close();
        assertThat(KubeletCallWarmup.round(socket, ids, 30)).isZero();
        assertThat(KubeletCallWarmup.settle(socket, ids, 5)).isEqualTo("settling ended by a new server after 0 more "
            + "rounds of 2500 pairs (compile ms each: [])");
        assertThat(KubeletCallWarmup.settle(socket, ids, 0)).isEqualTo("no settling rounds");
    }

    @Test
    void aServerThatStoppedEndsTheWarmUpQuietly() {
        Path socket = server.socketPath();
        server.close();
        assertThat(KubeletCallWarmup.run(socket, ids, 40, 5)).isZero();
    }
}
