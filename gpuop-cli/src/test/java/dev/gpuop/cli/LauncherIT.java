package dev.gpuop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/gpuop} as a user runs it after the README's build command: a real process from the packaged jars. */
class LauncherIT {

    private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();

    private static Result run(String... args) throws Exception {
        return run(Map.of("GPUOP_CDS", "0", "GPUOP_AOT", "0"), args);
    }

    private static Result run(Map<String, String> env, String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = REPO.resolve("bin/gpuop").toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out, err);
    }

    private record Result(int code, String out, String err) {
    }

    @Test
    void theShortCommandsStartFromTheAotCacheTrainedForThisBuild(@TempDir Path tmp) throws Exception {
        Path cache = tmp.resolve("gpuop-cli.aot");
        Result made = run(Map.of("GPUOP_AOT_FILE", cache.toString()), "--make-aot-cache");
        assertThat(made.code()).as(made.err()).isZero();
        assertThat(made.out()).contains("AOT cache for the short commands: " + cache);
        assertThat(made.err()).contains("gpuop gpus --simulate h100-sxm-8x -o json: exit 0",
            "gpuop toolkit cdi generate --simulate h100-sxm-8x: exit 0", "gpuop labels --simulate h100-sxm-8x: exit 0");
        assertThat(Files.size(cache)).isGreaterThan(1 << 20);
        // require: the JVM refuses to start unless it maps and accepts this cache
        Result taken = run(Map.of("GPUOP_AOT_FILE", cache.toString(), "GPUOP_AOT", "require"),
            "gpus", "--simulate", "h100-sxm-8x", "--output", "json");
        assertThat(taken.code()).as(taken.err()).isZero();
        assertThat(new ObjectMapper().readTree(taken.out()).get("gpus")).hasSize(8);

        Path foreign = Files.writeString(tmp.resolve("foreign.aot"), "not a cache");
        Result refused = run(Map.of("GPUOP_AOT_FILE", foreign.toString(), "GPUOP_AOT", "require"), "gpus", "--help");
        assertThat(refused.code()).isNotZero();
        assertThat(refused.out() + refused.err()).contains("Unable to use AOT cache"); // the JVM logs to stdout
        // by default a cache the JVM cannot take is left out, silently
        Result fallback = run(Map.of("GPUOP_AOT_FILE", foreign.toString()), "gpus", "--help");
        assertThat(fallback.code()).isZero();
        assertThat(fallback.err()).isEmpty();
        assertThat(fallback.out()).contains("Usage: gpuop gpus");
    }

    /**
     * A class looked up by name and missing from the class path costs a look into every one of the CLI's 90-odd jars
     * (about 60 ms of a short command's start when picocli looked for Groovy's Closure): the short commands never
     * miss.
     */
    @Test
    void theShortCommandsLookUpNoClassTheClassPathLacks(@TempDir Path tmp) throws Exception {
        for (String[] args : new String[][] {{"gpus", "--simulate", "h100-sxm-8x"}, {"gpus", "--help"},
            {"toolkit", "cdi", "generate", "--simulate", "h100-sxm-8x"}, {"labels", "--simulate", "h100-sxm-8x"}}) {
            Path log = tmp.resolve("exceptions-" + args[0] + args.length + ".log");
            Result r = run(Map.of("GPUOP_CDS", "0", "GPUOP_AOT", "0",
                "GPUOP_JAVA_OPTS", "-Xlog:exceptions=info:file=" + log), args);
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(Files.readAllLines(log)).as(String.join(" ", args))
                .noneMatch(line -> line.contains("ClassNotFoundException"));
        }
    }

    /**
     * {@code System.exit} would find the JDK's logger backend to log the exit, a service looked up in every jar; the
     * short commands halt after flushing instead, and lose nothing they printed.
     */
    @Test
    void theShortCommandsExitWithoutLookingUpALoggerAndLoseNoOutput(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("init.log");
        Path spec = tmp.resolve("nvidia.yaml");
        Result cdi = run(Map.of("GPUOP_CDS", "0", "GPUOP_AOT", "0",
            "GPUOP_JAVA_OPTS", "-Xlog:class+init=info:file=" + log),
            "toolkit", "cdi", "generate", "--simulate", "h100-sxm-8x", "--output", spec.toString());
        assertThat(cdi.code()).as(cdi.err()).isZero();
        assertThat(Files.readAllLines(log)).isNotEmpty()
            .noneMatch(line -> line.contains("jdk/internal/logger/BootstrapLogger$LoggingBackend"));
        assertThat(Files.readString(spec)).contains("name: \"7\"").endsWith("\n");

        Result gpus = run("gpus", "--simulate", "h100-sxm-8x", "--output", "json");
        assertThat(gpus.code()).as(gpus.err()).isZero();
        assertThat(new ObjectMapper().readTree(gpus.out()).get("gpus")).hasSize(8);
        Result usage = run("gpus", "--no-such-option");
        assertThat(usage.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(usage.err()).contains("Unknown option: '--no-such-option'", "Usage: gpuop gpus");
    }

    @Test
    void theLauncherRunsThePackagedCli() throws Exception {
        Result r = run("gpus", "--simulate", "h100-sxm-8x", "--output", "json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertThat(doc.get("gpus")).hasSize(8);
    }

    @Test
    void theLauncherPassesExitCodesThrough() throws Exception {
        Result r = run("gpus", "--simulate", "no-such-fixture");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("no fixture");
    }
}
