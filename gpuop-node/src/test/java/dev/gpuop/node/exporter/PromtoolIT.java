package dev.gpuop.node.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.GpuReadings;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Prometheus's own parser and linter ({@code promtool check metrics}, built from Prometheus's Go module by
 * testenv/build.sh) read the node agent's GPU exposition: it parses (exit 1 would be a parse error), and the only
 * lint problems are the two that dcgm-exporter compatibility imposes, each named here.
 */
class PromtoolIT {

    /**
     * dcgm-exporter's counters carry no {@code _total}, its {@code modelName} label is camelCase, and one of its names
     * says {@code COUNTER}.
     */
    private static final List<Pattern> IMPOSED_BY_DCGM_NAMES = List.of(
        Pattern.compile("DCGM_FI_DEV_\\w+ counter metrics should have \"_total\" suffix"),
        Pattern.compile("DCGM_FI_DEV_PCIE_REPLAY_COUNTER metric name should not include type 'counter'"),
        Pattern.compile("DCGM_FI_\\w+ label names should be written in 'snake_case' not 'camelCase'"));

    static Path promtool() {
        String env = System.getenv("GPUOP_PROMTOOL");
        Path p = env != null ? Path.of(env)
            : Path.of("..", "testenv", ".bin", "promtool").toAbsolutePath().normalize();
        if (!Files.isExecutable(p)) {
            if (System.getenv("CI") != null) {
                fail("no promtool at " + p + ": testenv/build.sh builds it, and CI runs that first");
            }
            assumeTrue(false, "no promtool at " + p + ": run testenv/build.sh or set GPUOP_PROMTOOL");
        }
        return p;
    }

    private static Result check(String text) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(promtool().toString(), "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    private record Result(int exit, String output) {
    }

    @Test
    void theExpositionParsesAndOnlyDcgmNamingIsLinted() throws Exception {
        String text;
        try (GpuHost host = SimulatedGpuHost.open("h100-sxm-8x")) {
            Map<String, GpuReadings> slow = new HashMap<>();
            host.gpus().forEach(g -> slow.put(g.info().uuid(), GpuReadings.slow(g)));
            String held = host.gpus().get(1).info().uuid();
            text = new DcgmExposition(host, "gpu-node-1", slow::get,
                () -> Map.of(held, new PodDevices.PodRef("ml", "trainer-0", "main")),
                u -> u.equals(held) ? 13L : null).render();
        }
        Result r = check(text);
        assertThat(r.exit()).as(r.output()).isEqualTo(3);
        List<String> problems = r.output().lines().filter(l -> !l.isBlank()).toList();
        assertThat(problems).isNotEmpty().allSatisfy(line -> assertThat(IMPOSED_BY_DCGM_NAMES)
            .as("an unexplained lint problem: %s", line).anyMatch(p -> p.matcher(line).matches()));
        assertThat(problems).anyMatch(l -> l.startsWith("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter"));
    }

    /** The check can fail: promtool rejects a broken line and lints a missing help text. */
    @Test
    void promtoolRefusesWhatIsWrong() throws Exception {
        assertThat(check("x{ 1\n").exit()).isEqualTo(1);
        Result noHelp = check("# TYPE x gauge\nx 1\n");
        assertThat(noHelp.exit()).isEqualTo(3);
        assertThat(noHelp.output()).contains("no help text");
    }
}
