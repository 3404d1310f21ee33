package dev.gpuop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code bin/gpuop} as a user runs it after the README's build command: a real process from the packaged jars. */
class LauncherIT {

    private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();

    private static Result run(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = REPO.resolve("bin/gpuop").toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("GPUOP_CDS", "0");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out, err);
    }

    private record Result(int code, String out, String err) {
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
