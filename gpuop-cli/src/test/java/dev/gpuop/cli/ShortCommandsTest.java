package dev.gpuop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** A short command built alone behaves as the same command reached through the whole tree. */
class ShortCommandsTest {

    static Stream<List<String>> paths() {
        return ShortCommands.paths().stream();
    }

    @ParameterizedTest
    @MethodSource("paths")
    void theUsageIsTheTreesOwn(List<String> path) {
        CommandLine inTree = GpuopCommand.newCommandLine();
        for (String word : path) {
            inTree = inTree.getSubcommands().get(word);
        }
        CommandLine alone = ShortCommands.route(path.toArray(String[]::new)).commandLine();
        assertThat(alone.getCommandSpec().userObject()).isNotSameAs(inTree.getCommandSpec().userObject());
        assertThat(alone.getUsageMessage()).isEqualTo(inTree.getUsageMessage())
            .contains("gpuop " + String.join(" ", path));
    }

    @ParameterizedTest
    @MethodSource("paths")
    void aBadOptionIsTheSameUsageErrorAsThroughTheTree(List<String> path) {
        String[] args = Stream.concat(path.stream(), Stream.of("--no-such-option")).toArray(String[]::new);
        StringWriter treeErr = new StringWriter();
        CommandLine tree = GpuopCommand.newCommandLine().setErr(new PrintWriter(treeErr, true));
        int treeCode = tree.execute(args);
        CliRun alone = CliRun.of(args);
        assertThat(alone.exitCode()).isEqualTo(treeCode).isEqualTo(2);
        assertThat(alone.err()).isEqualTo(treeErr.toString()).contains("--no-such-option");
    }

    @Test
    void otherCommandsAndHelpGoThroughTheTree() {
        assertThat(ShortCommands.route("toolkit", "install").commandLine().getCommandName()).isEqualTo("gpuop");
        assertThat(ShortCommands.route("validate").args()).containsExactly("validate");
        assertThat(ShortCommands.route("help", "gpus").commandLine().getSubcommands()).containsKey("operator");
        assertThat(ShortCommands.route("gpus", "-o", "json").args()).containsExactly("-o", "json");
    }
}
