package dev.gpuop.cli;

import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine;

/**
 * The commands that run for well under a second and are timed against NVIDIA's tools ({@code gpus}, {@code labels},
 * {@code doctor}, {@code validate cuda}, {@code toolkit cdi generate}): each is built alone, without the rest of
 * the command tree. picocli reflects over every subcommand's annotations when it builds the tree, the operator's
 * and node agent's included: {@code toolkit cdi generate} began its own work 261 ms after the JVM started with the
 * tree and 197 ms without it (docs/benchmarks.md).
 * Everything else, {@code --help} and {@code help} included, goes through the whole tree.
 */
final class ShortCommands {

    private record Route(List<String> path, Supplier<Object> command) {
    }

    private static final List<Route> ROUTES = List.of(
        new Route(List.of("gpus"), GpusCommand::new),
        new Route(List.of("labels"), LabelsCommand::new),
        new Route(List.of("doctor"), DoctorCommand::new),
        new Route(List.of("validate", "cuda"), ValidateCudaCommand::new),
        new Route(List.of("toolkit", "cdi", "generate"), CdiGenerateCommand::new));

    private ShortCommands() {
    }

    /** A command line, the arguments it is to execute, and whether it is a short command built alone. */
    record Invocation(CommandLine commandLine, String[] args, boolean isShortCommand) {

        int execute() {
            return commandLine.execute(args);
        }

        /** Writes out what the command printed and its streams still buffer. */
        void flush() {
            commandLine.getOut().flush();
            commandLine.getErr().flush();
            System.out.flush();
            System.err.flush();
        }
    }

    /** The short command {@code args} name, built alone, with the arguments after its name; else the whole tree. */
    static Invocation route(String... args) {
        for (Route route : ROUTES) {
            int depth = route.path().size();
            if (args.length >= depth && Arrays.asList(args).subList(0, depth).equals(route.path())) {
                CommandLine cl = new CommandLine(route.command().get())
                    .setCommandName("gpuop " + String.join(" ", route.path()));
                return new Invocation(GpuopCommand.configure(cl), Arrays.copyOfRange(args, depth, args.length), true);
            }
        }
        return new Invocation(GpuopCommand.newCommandLine(), args, false);
    }

    /** The commands built alone, by their words ({@code toolkit cdi generate}). */
    static List<List<String>> paths() {
        return ROUTES.stream().map(Route::path).toList();
    }
}
