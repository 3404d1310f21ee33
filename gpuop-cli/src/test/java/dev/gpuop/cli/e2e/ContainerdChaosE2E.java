package dev.gpuop.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.testsupport.TestCluster;
import dev.gpuop.testsupport.TestClusterExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * containerd SIGKILLed while the toolkit step restarts it (issue 16): {@code gpuop toolkit install} and
 * {@code uninstall} by turns against testenv's real containerd, which its supervisor starts again as a service
 * manager would, and containerd killed at a random point of the step. Every time: containerd's config and the
 * drop-in are byte for byte the old or the new ones, containerd answers again, and a step that failed said why
 * without a stack trace and succeeds when run again.
 */
@ExtendWith(TestClusterExtension.class)
class ContainerdChaosE2E {

    private final Random random = new Random(Long.getLong("gpuop.chaos.seed", 16));
    private Path containerd;
    private Path config;
    private Path dropIn;
    private byte[] configBefore;
    private Path state;

    @BeforeEach
    void paths(TestCluster cluster) throws Exception {
        containerd = cluster.kubeconfig().getParent().resolve("containerd");
        config = containerd.resolve("config.toml");
        dropIn = containerd.resolve("conf.d/99-nvidia.toml");
        configBefore = Files.readAllBytes(config);
        state = Files.createTempDirectory("gpuop-chaos-toolkit");
    }

    @AfterEach
    void putBack(TestCluster cluster) throws Exception {
        if (!Arrays.equals(Files.readAllBytes(config), configBefore)) {
            Files.write(config, configBefore);
        }
        Files.deleteIfExists(dropIn);
        awaitContainerd(cluster, killContainerd(cluster));
    }

    @Test
    void containerdKilledDuringTheToolkitsRestartIsBackWithTheOldOrTheNewConfig(TestCluster cluster)
        throws Exception {
        // the two states, from clean runs: installed, then uninstalled (which must give back the config as it was)
        long t0 = System.nanoTime();
        String out = toolkit(cluster, "install");
        long stepMillis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(out).startsWith("0\n");
        State installed = State.read(config, dropIn);
        assertThat(installed.dropIn()).as("the drop-in names the nvidia runtime").isNotNull();
        assertThat(toolkit(cluster, "uninstall")).startsWith("0\n");
        State original = State.read(config, dropIn);
        assertThat(original.config()).as("uninstall puts the config back").isEqualTo(configBefore);

        ChaosReport report = new ChaosReport("containerd SIGKILLed during the toolkit's restart "
            + "(kill to containerd answering)");
        int failedSteps = 0;
        for (int i = 0; i < ChaosReport.RUNS; i++) {
            String step = i % 2 == 0 ? "install" : "uninstall";
            State target = i % 2 == 0 ? installed : original;
            Process p = toolkitProcess(cluster, step);
            Thread.sleep(random.nextLong(stepMillis + 1));
            long kill = System.nanoTime();
            awaitContainerd(cluster, killContainerd(cluster));
            report.run((System.nanoTime() - kill) / 1e6);
            String result = finish(p);
            State now = State.read(config, dropIn);
            if (!now.equals(installed) && !now.equals(original)) {
                report.failure(step + " " + i + ": the config is neither the old nor the new one");
            }
            if (!result.startsWith("0\n")) {
                failedSteps++;
                System.out.println("chaos: " + step + " " + i + " failed on the kill (exit " + result);
                if (result.contains("\tat ") || result.contains("Exception in thread")) {
                    report.failure(step + " " + i + " failed with a stack trace:\n" + result);
                }
                String again = toolkit(cluster, step);
                if (!again.startsWith("0\n")) {
                    report.failure(step + " " + i + " failed again after containerd came back:\n" + again);
                }
            }
            if (!State.read(config, dropIn).equals(target)) {
                report.failure(step + " " + i + ": after the step (and a retry) the node is not in its state");
            }
        }
        report.note(failedSteps + " steps failed on the kill and succeeded when run again");
        report.write();
        assertThat(report.failures()).as(report.line()).isEmpty();
    }

    /** The node's containerd config and drop-in (null when absent), compared by content. */
    record State(byte[] config, byte[] dropIn) {
        static State read(Path config, Path dropIn) throws Exception {
            return new State(Files.readAllBytes(config), Files.exists(dropIn) ? Files.readAllBytes(dropIn) : null);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof State s && Arrays.equals(config, s.config) && Arrays.equals(dropIn, s.dropIn);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(config) * 31 + Arrays.hashCode(dropIn);
        }

        @Override
        public String toString() {
            return "config " + config.length + " bytes, drop-in " + (dropIn == null ? "absent" : dropIn.length);
        }
    }

    private Process toolkitProcess(TestCluster cluster, String step) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(cluster.repo().resolve("bin/gpuop").toString(), "toolkit", step,
            "--distribution", "containerd", "--no-cdi", "--containerd-config", config.toString(),
            "--containerd-socket", containerd.resolve("containerd.sock").toString(),
            "--containerd-binary", cluster.repo().resolve("testenv/.bin/containerd").toString(),
            "--state-dir", state.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** Its exit code, a newline, then what it printed. */
    private String toolkit(TestCluster cluster, String step) throws Exception {
        return finish(toolkitProcess(cluster, step));
    }

    private static String finish(Process p) throws Exception {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timeout\n" + out;
        }
        return p.exitValue() + "\n" + out;
    }

    /** SIGKILL to the running containerd; its pid, which must change before containerd counts as back. */
    private String killContainerd(TestCluster cluster) throws Exception {
        String pid = Files.readString(pidFile(cluster)).strip();
        new ProcessBuilder("kill", "-KILL", pid).redirectErrorStream(true).start().waitFor();
        return pid;
    }

    private static Path pidFile(TestCluster cluster) {
        return cluster.kubeconfig().getParent().resolve("pids/containerd.pid");
    }

    private void awaitContainerd(TestCluster cluster, String killed) throws Exception {
        Path ctr = cluster.repo().resolve("testenv/.bin/ctr");
        E2eSupport.await(() -> {
            try {
                return !Files.readString(pidFile(cluster)).strip().equals(killed)
                    && new ProcessBuilder(ctr.toString(), "-a", containerd.resolve("containerd.sock").toString(),
                    "version").redirectErrorStream(true).start().waitFor() == 0;
            } catch (Exception e) {
                return false;
            }
        }, Duration.ofSeconds(60), () -> "containerd did not answer within 60 s");
    }
}
