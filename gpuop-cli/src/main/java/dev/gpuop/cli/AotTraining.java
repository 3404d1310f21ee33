package dev.gpuop.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The training run of the CLI's ahead-of-time cache (JEP 483/514/515): {@code bin/gpuop --make-aot-cache} and the
 * image build run this under {@code -XX:AOTMode=record}, and a second JVM writes what it loaded, linked and profiled
 * into the cache ({@code -XX:AOTMode=create}), so that the short commands start from there. Every short command
 * runs once on this host (real GPUs where there are: the driver's paths then are in the cache too; where there are
 * none they fail fast and still load their classes) and once on a simulated HGX H100, in one JVM, their output
 * thrown away. Prints one line per command and its exit code, to stderr.
 */
public final class AotTraining {

    /** The simulated host every run also trains on: the shape of a real GPU node. */
    static final String FIXTURE = "h100-sxm-8x";

    private AotTraining() {
    }

    /** Runs every short command and exits 0; a command's own failure is part of the training. */
    public static void main(String[] args) throws Exception {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        Path scratch = Files.createTempDirectory("gpuop-aot");
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream(), true);
        System.setOut(nowhere);
        System.setErr(nowhere);
        try {
            for (List<String> command : commands(scratch)) {
                ShortCommands.Invocation invocation = ShortCommands.route(command.toArray(String[]::new));
                invocation.commandLine().setOut(new PrintWriter(nowhere, true));
                invocation.commandLine().setErr(new PrintWriter(nowhere, true));
                int code = invocation.execute();
                stderr.println("gpuop " + String.join(" ", command) + ": exit " + code);
            }
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
            try (var files = Files.list(scratch)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(scratch);
        }
    }

    /** The training commands: each short command on this host, then on the simulated host, every output format. */
    static List<List<String>> commands(Path scratch) {
        List<List<String>> commands = new ArrayList<>();
        commands.add(List.of("gpus"));
        commands.add(List.of("gpus", "-o", "json"));
        commands.add(List.of("labels"));
        commands.add(List.of("toolkit", "cdi", "generate"));
        commands.add(List.of("validate", "cuda"));
        commands.add(List.of("doctor"));
        commands.add(List.of("doctor", "-o", "json"));
        for (String format : List.of("table", "json", "yaml")) {
            commands.add(List.of("gpus", "--simulate", FIXTURE, "-o", format));
        }
        commands.add(List.of("labels", "--simulate", FIXTURE));
        commands.add(List.of("labels", "--simulate", FIXTURE, "-o", "json"));
        commands.add(List.of("toolkit", "cdi", "generate", "--simulate", FIXTURE));
        commands.add(List.of("toolkit", "cdi", "generate", "--simulate", FIXTURE,
            "--output", scratch.resolve("nvidia.yaml").toString()));
        commands.add(List.of("doctor", "--simulate", FIXTURE));
        commands.add(List.of("gpus", "--help"));
        return commands;
    }
}
