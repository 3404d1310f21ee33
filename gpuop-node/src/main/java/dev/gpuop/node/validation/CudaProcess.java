package dev.gpuop.node.validation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the CUDA vector add ({@code dev.gpuop.gpu.cuda.CudaCheckMain}) in a child JVM of the node agent, with this
 * JVM's own runtime and class path: no image, no pod, no pull, and nothing of CUDA left in the agent afterwards
 * (ADR 0010).
 */
public final class CudaProcess implements CudaStage.Runner {

    static final String MAIN = "dev.gpuop.gpu.cuda.CudaCheckMain";
    private final List<String> command;
    private final Map<String, String> env;
    private final Duration timeout;

    /**
     * @param command the whole command line
     * @param env what to add to this process's environment
     */
    public CudaProcess(List<String> command, Map<String, String> env, Duration timeout) {
        this.command = List.copyOf(command);
        this.env = Map.copyOf(env);
        this.timeout = timeout;
    }

    /**
     * The child JVM for this process: its java, its class path, a small heap and C1 only (it runs for about a
     * second), the driver's libraries on {@code LD_LIBRARY_PATH} through {@code libraryLinks}.
     */
    public static CudaProcess childJvm(Path libraryLinks, Duration timeout) {
        String java = ProcessHandle.current().info().command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = List.of(java, "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
            "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), MAIN);
        return new CudaProcess(cmd, Map.of("LD_LIBRARY_PATH", libraryLinks.toString()), timeout);
    }

    /** The command line (for logs and tests). */
    public List<String> command() {
        return command;
    }

    @Override
    public CudaStage.Output run() {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            // read on the side: a child hung in the driver must not hang the agent's validation thread with it
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()),
                Executors.newVirtualThreadPerTaskExecutor());
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return new CudaStage.Output(-1, List.of("error the CUDA check did not finish in " + timeout));
            }
            return new CudaStage.Output(p.exitValue(), out.get(5, TimeUnit.SECONDS).lines().toList());
        } catch (IOException e) {
            return new CudaStage.Output(-1, List.of("error cannot start " + command.getFirst() + ": "
                + e.getMessage()));
        } catch (ExecutionException | TimeoutException e) {
            return new CudaStage.Output(-1, List.of("error the CUDA check's output cannot be read: " + e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CudaStage.Output(-1, List.of("error interrupted"));
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "error " + e.getMessage();
        }
    }
}
