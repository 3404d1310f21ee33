package dev.gpuop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RenderCommandTest {

    private static final Path RES = Path.of("src/test/resources/render");

    private record Run(int code, String out, String err) {
    }

    private static Run render(String... args) {
        CommandLine cl = GpuopCommand.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void kubectlsNodeListAndTheSeedPolicyGiveTheRke2AgentAndTheNodesLabels() {
        Run r = render("render", "--policy", RES.resolve("seed-policy.yaml").toString(), "--nodes",
            RES.resolve("nodes.yaml").toString());
        assertThat(r.code()).as(r.err()).isZero();
        @SuppressWarnings("unchecked")
        List<HasMetadata> docs = (List<HasMetadata>) (List<?>) Serialization.unmarshal(r.out());
        DaemonSet rke2 = docs.stream().filter(d -> d instanceof DaemonSet && d.getMetadata().getName()
            .equals("gpuop-node-agent-rke2")).map(DaemonSet.class::cast).findFirst().orElseThrow();
        assertThat(rke2.getSpec().getTemplate().getSpec().getInitContainers().getFirst().getEnv())
            .anySatisfy(e -> {
                assertThat(e.getName()).isEqualTo("CONTAINERD_SOCKET");
                assertThat(e.getValue()).isEqualTo("/run/k3s/containerd/containerd.sock");
            });
        List<Node> labelled = docs.stream().filter(Node.class::isInstance).map(Node.class::cast).toList();
        assertThat(labelled).singleElement().satisfies(n -> {
            assertThat(n.getMetadata().getName()).isEqualTo("rke2-gpu-1");
            assertThat(n.getMetadata().getLabels()).containsEntry("nvidia.com/gpu.deploy.driver", "pre-installed")
                .containsEntry("gpuop.dev/distribution", "rke2");
        });
        assertThat(docs).extracting(HasMetadata::getKind).doesNotContain("ClusterPolicy")
            .contains("ServiceAccount", "ClusterRole", "RuntimeClass", "ConfigMap");
    }

    @Test
    void aPolicyThatCannotBeHonouredExitsFiveNamingTheField(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("p.yaml"), "apiVersion: gpuop.dev/v1alpha1\nkind: ClusterPolicy\n"
            + "metadata:\n  name: p\nspec:\n  driver:\n    enabled: false\n  mig:\n    strategy: mixed\n");
        Run r = render("render", "--policy", bad.toString(), "--nodes", RES.resolve("nodes.yaml").toString());
        assertThat(r.code()).isEqualTo(ExitCodes.CONFIG_REFUSED);
        assertThat(r.err()).contains("spec.mig.strategy").contains("rke2-gpu-1");
    }

    @Test
    void aNodesFileWithoutNodesIsAUsageError(@TempDir Path dir) throws Exception {
        Path notNodes = Files.writeString(dir.resolve("n.yaml"), "apiVersion: v1\nkind: ConfigMap\n"
            + "metadata:\n  name: x\n");
        Run r = render("render", "--policy", RES.resolve("seed-policy.yaml").toString(), "--nodes",
            notNodes.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("expected Node objects, found ConfigMap");
    }

    /** A mistyped or unknown field: its path and what is allowed, not Jackson's class names and reference chain. */
    @Test
    void aMistypedFieldIsNamedByItsPathWithWhatIsAllowed(@TempDir Path dir) throws Exception {
        Path typo = Files.writeString(dir.resolve("typo.yaml"), "apiVersion: gpuop.dev/v1alpha1\nkind: ClusterPolicy\n"
            + "metadata:\n  name: p\nspec:\n  devicePlugin:\n    enabeld: true\n");
        Run r = render("render", "--policy", typo.toString(), "--nodes", RES.resolve("nodes.yaml").toString());
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("spec.devicePlugin.enabeld: unknown field; allowed: args, config, enabled, env,")
            .doesNotContain("Source: UNKNOWN").doesNotContain("dev.gpuop.api");
        Path wrongType = Files.writeString(dir.resolve("type.yaml"), "apiVersion: gpuop.dev/v1alpha1\n"
            + "kind: ClusterPolicy\nmetadata:\n  name: p\nspec:\n  driver:\n    enabled: maybe\n");
        r = render("render", "--policy", wrongType.toString(), "--nodes", RES.resolve("nodes.yaml").toString());
        assertThat(r.err()).contains("spec.driver.enabled: 'maybe' is not true or false");
    }
}
