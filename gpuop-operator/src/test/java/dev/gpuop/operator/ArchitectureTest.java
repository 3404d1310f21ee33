package dev.gpuop.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The pure layer (model, operands, plan) may read Kubernetes model classes and fabric8's YAML utilities, but never
 * the client, JOSDK or the controller: it must run without a cluster, as {@code gpuop render} runs it.
 */
class ArchitectureTest {

    private static final Path MAIN = Path.of("src/main/java/dev/gpuop/operator");
    private static final List<String> FORBIDDEN = List.of("import io.fabric8.kubernetes.client.KubernetesClient",
        "import io.fabric8.kubernetes.client.dsl", "import io.javaoperatorsdk", "import dev.gpuop.operator.controller",
        "import io.fabric8.kubernetes.client.informers");

    @Test
    void thePureLayerImportsNoClientNoJosdkAndNoController() throws IOException {
        List<Path> pure = Stream.of("model", "operand", "plan").flatMap(p -> {
            try (Stream<Path> files = Files.walk(MAIN.resolve(p))) {
                return files.filter(f -> f.toString().endsWith(".java")).toList().stream();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList();
        assertThat(pure).hasSizeGreaterThan(20);
        for (Path f : pure) {
            String text = Files.readString(f);
            for (String bad : FORBIDDEN) {
                assertThat(text).as("%s must not %s", f, bad).doesNotContain(bad);
            }
        }
    }
}
