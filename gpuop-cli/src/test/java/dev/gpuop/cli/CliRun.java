package dev.gpuop.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the CLI in-process as {@code main} would (a short command built alone, as there), capturing what it prints. */
record CliRun(int exitCode, String out, String err) {

    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ShortCommands.Invocation invocation = ShortCommands.route(args);
        CommandLine cl = invocation.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = invocation.execute();
        return new CliRun(code, out.toString(), err.toString());
    }
}
