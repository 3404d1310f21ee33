package dev.gpuop.node.mps;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One resource's {@code nvidia-cuda-mps-control} daemon, driven as NVIDIA's MPS daemon drives it: started with
 * {@code -d} and its pipe and log directories in its environment, given its limits through the control program's
 * stdin, checked with {@code get_default_active_thread_percentage}, stopped with {@code quit}. Unlike NVIDIA's it
 * sees only its own GPUs ({@code CUDA_VISIBLE_DEVICES}), and it leaves the GPUs' compute mode as it is (ADR 0016).
 */
public final class MpsControlDaemon {

    private static final System.Logger LOG = System.getLogger(MpsControlDaemon.class.getName());
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    private final MpsDaemonSpec spec;
    private final Path root;
    private final MpsDriverTools tools;

    /**
     * @param spec what it serves
     * @param root the MPS root as this process sees it
     * @param tools the driver's control program and CUDA library directory
     */
    public MpsControlDaemon(MpsDaemonSpec spec, Path root, MpsDriverTools tools) {
        this.spec = spec;
        this.root = root;
        this.tools = tools;
    }

    public MpsDaemonSpec spec() {
        return spec;
    }

    /**
     * Starts the daemon (after quitting one that an earlier agent left on the same pipe), sets the limits, and waits
     * until it answers; then writes the {@code .started} file.
     *
     * @throws IOException with the control program's own words when a step fails
     */
    public void start() throws IOException, InterruptedException {
        Files.createDirectories(MpsPaths.pipeDir(root, spec.resource()));
        Files.createDirectories(MpsPaths.logDir(root, spec.resource()));
        Files.createDirectories(MpsPaths.shmDir(root));
        Files.deleteIfExists(MpsPaths.startedFile(root, spec.resource()));
        if (answers()) {
            LOG.log(System.Logger.Level.INFO, "an MPS daemon already serves {0}: replaced", spec.resource());
            quit();
        }
        Path startLog = MpsPaths.logDir(root, spec.resource()).resolve("gpuop-start.log");
        // -d forks the daemon and returns; the daemon keeps the output it inherited, so it goes to a file, not a
        // pipe this process would wait on forever
        ProcessBuilder pb = new ProcessBuilder(tools.control().toString(), "-d")
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(startLog.toFile()));
        environment(pb);
        Process p = pb.start();
        if (!p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException(tools.control() + " -d did not return in " + COMMAND_TIMEOUT.toSeconds() + " s");
        }
        if (p.exitValue() != 0) {
            throw new IOException(tools.control() + " -d exited with " + p.exitValue() + ": "
                + lastLines(startLog));
        }
        for (String command : spec.limitCommands()) {
            send(command);
        }
        String share = send("get_default_active_thread_percentage").strip();
        LOG.log(System.Logger.Level.INFO, "MPS daemon for {0} up on {1}: active thread percentage {2}",
            spec.resource(), spec.visibleDevices(), share);
        Files.writeString(MpsPaths.startedFile(root, spec.resource()), "");
    }

    /** Whether a daemon answers on this resource's pipe. */
    public boolean answers() throws InterruptedException {
        try {
            send("get_default_active_thread_percentage");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Asks the daemon to quit; its server ends once its clients have. */
    public void quit() throws IOException, InterruptedException {
        Files.deleteIfExists(MpsPaths.startedFile(root, spec.resource()));
        send("quit");
    }

    /**
     * Sends one command through the control program and returns its answer.
     *
     * @throws IOException when the program fails or reports an error (it exits non-zero without a daemon)
     */
    public String send(String command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(tools.control().toString()).redirectErrorStream(true);
        environment(pb);
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        }
        // the answers are a line or two; read after exit would risk a full pipe only for far longer output
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException("'" + command + "' got no answer in " + COMMAND_TIMEOUT.toSeconds() + " s");
        }
        String answer = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("'" + command + "' failed (exit " + p.exitValue() + "): " + answer.strip());
        }
        return answer;
    }

    /** The daemon's and the control program's environment: nothing of the agent's own. */
    private void environment(ProcessBuilder pb) {
        Map<String, String> env = pb.environment();
        env.clear();
        env.putAll(environment());
    }

    /** The variables the daemon runs with, in a stable order. */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CUDA_MPS_PIPE_DIRECTORY", MpsPaths.pipeDir(root, spec.resource()).toString());
        env.put("CUDA_MPS_LOG_DIRECTORY", MpsPaths.logDir(root, spec.resource()).toString());
        env.put("CUDA_VISIBLE_DEVICES", spec.visibleDevices());
        // the server the daemon starts is the driver's, beside the control program, on the driver's CUDA library
        env.put("PATH", tools.control().getParent() + ":/usr/bin:/bin");
        env.put("LD_LIBRARY_PATH", tools.libDir().toString());
        return env;
    }

    private static String lastLines(Path log) {
        try {
            List<String> lines = new ArrayList<>(Files.readAllLines(log));
            return String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size())).strip();
        } catch (IOException e) {
            return "(no output)";
        }
    }
}
