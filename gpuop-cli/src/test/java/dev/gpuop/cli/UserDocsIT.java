package dev.gpuop.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import dev.gpuop.cli.doctor.Doctor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Every command of the user docs ({@link DocCommands#DOCS}) against the thing it runs: {@code gpuop} lines parse
 * with gpuop's own command line (an unknown subcommand or option fails), {@code helm} lines against our chart name
 * only keys that {@code values.yaml} has and render with the real Helm engine, scripts exist and take the arguments
 * given, and commands of other tools (installing K3s, NVIDIA's chart) are the exact lines listed here. The
 * {@code kubectl} lines and the manifests run on a real cluster in {@code DemoScriptE2E}. The troubleshooting page
 * has a section for every step of {@code gpuop doctor}.
 */
class UserDocsIT {

    private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
    private static final Path CHART = REPO.resolve("deploy/helm/gpuop");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Other tools' commands the docs quote, exactly; each is that tool's documented usage. */
    private static final Set<String> OTHER_TOOLS = Set.of(
        "curl -sfL https://get.rke2.io | sh -",
        "systemctl enable --now rke2-server",
        "curl -sfL https://get.k3s.io | sh -",
        "export KUBECONFIG=/etc/rancher/rke2/rke2.yaml PATH=$PATH:/var/lib/rancher/rke2/bin",
        "export KUBECONFIG=/etc/rancher/k3s/k3s.yaml",
        "systemctl restart rke2-server",
        "systemctl restart k3s",
        "nvidia-smi",
        "apt-get install -y nvidia-driver-570-server",
        "helm repo add nvidia https://helm.ngc.nvidia.com/nvidia");
    private static final Set<String> HELM_VERBS = Set.of("install", "upgrade", "uninstall", "list", "status",
        "get", "template");
    private static final Set<String> HELM_FLAGS = Set.of("--wait", "-n", "--namespace", "--create-namespace",
        "--set", "--timeout", "--reuse-values", "-f", "--values", "--all-namespaces", "-A");
    private static final Set<String> KUBECTL_VERBS = Set.of("get", "describe", "logs", "apply", "delete", "label",
        "annotate", "patch", "explain", "top", "rollout", "api-resources", "wait");

    @Test
    void everyCommandOfTheDocsIsOneTheProductTakes() throws Exception {
        List<DocCommands.Command> commands = DocCommands.commands(REPO);
        assertThat(commands).hasSizeGreaterThan(30);
        SoftAssertions soft = new SoftAssertions();
        for (DocCommands.Command c : commands) {
            String why = c.where() + ": " + c.text();
            switch (c.program()) {
                case "gpuop", "bin/gpuop" -> soft.assertThatCode(() -> GpuopCommand.newCommandLine()
                    .parseArgs(c.args().toArray(String[]::new))).as(why).doesNotThrowAnyException();
                case "helm" -> helm(c, soft);
                case "kubectl" -> soft.assertThat(KUBECTL_VERBS).as(why).contains(kubectlVerb(c.args()));
                case "scripts/build.sh", "scripts/test.sh", "testenv/cluster.sh" ->
                    soft.assertThat(REPO.resolve(c.program())).as(why).isExecutable();
                case "scripts/demo.sh" -> soft.assertThat(c.args()).as(why).isSubsetOf("--down");
                default -> soft.assertThat(OTHER_TOOLS).as(why + " (another tool's command: list it here, exactly)")
                    .contains(c.text());
            }
        }
        soft.assertAll();
    }

    /** The verb: the first word that is neither a flag nor a namespace flag's value. */
    static String kubectlVerb(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-n") || a.equals("--namespace")) {
                i++;
            } else if (!a.startsWith("-")) {
                return a;
            }
        }
        return "";
    }

    private void helm(DocCommands.Command c, SoftAssertions soft) throws Exception {
        String why = c.where() + ": " + c.text();
        List<String> a = c.args();
        soft.assertThat(HELM_VERBS).as(why).contains(a.getFirst());
        List<String> sets = new ArrayList<>();
        for (int i = 1; i < a.size(); i++) {
            String w = a.get(i);
            if (w.startsWith("-")) {
                soft.assertThat(HELM_FLAGS).as(why).contains(w.contains("=") ? w.substring(0, w.indexOf('=')) : w);
                if (w.equals("--set") && i + 1 < a.size()) {
                    sets.add(a.get(++i));
                } else if (Set.of("-n", "--namespace", "--timeout", "-f", "--values").contains(w)) {
                    i++;
                }
            }
        }
        if (!a.contains("deploy/helm/gpuop")) {
            return; // NVIDIA's chart, or a release command: flags checked above
        }
        JsonNode values = YAML.readTree(CHART.resolve("values.yaml").toFile());
        TemplateCommand t = new Helm(CHART).template().withName("gpuop").withNamespace("gpu-operator");
        for (String s : sets) {
            int eq = s.indexOf('=');
            String key = s.substring(0, eq);
            soft.assertThat(has(values, key)).as(why + ": values.yaml has no key " + key).isTrue();
            t = t.set(key, s.substring(eq + 1));
        }
        TemplateCommand render = t;
        soft.assertThatCode(render::call).as(why).doesNotThrowAnyException();
    }

    /** The key's path exists in values.yaml; {@code env[0].name} needs a list {@code env}. */
    static boolean has(JsonNode values, String key) {
        JsonNode n = values;
        for (String part : key.split("\\.")) {
            String name = part.replaceAll("\\[\\d+]$", "");
            n = n.path(name);
            if (n.isMissingNode()) {
                return false;
            }
            if (!name.equals(part)) {
                return n.isArray(); // below a list element: the element's own keys are the list's business
            }
        }
        return true;
    }

    @Test
    void theTroubleshootingPageHasASectionForEveryDoctorStep() throws Exception {
        String page = Files.readString(REPO.resolve("docs/troubleshooting.md"));
        for (String step : Doctor.STEPS) {
            assertThat(page).as("a heading for doctor's step " + step).containsPattern("(?m)^###.*`" + step + "`");
        }
    }

    @Test
    void everyManifestOfTheDocsIsAKubernetesObject() throws Exception {
        List<DocCommands.Manifest> manifests = DocCommands.manifests(REPO);
        assertThat(manifests).isNotEmpty();
        for (DocCommands.Manifest m : manifests) {
            @SuppressWarnings("unchecked")
            Map<String, Object> o = YAML.readValue(m.yaml(), Map.class);
            assertThat(o).as(m.where()).containsKeys("apiVersion", "kind", "metadata");
        }
    }

    @Test
    void theCheckerItselfRejectsWhatItShould() {
        JsonNode values = YAML.valueToTree(Map.of("toolkit", Map.of("enabled", true, "env", List.of())));
        assertThat(has(values, "toolkit.enabled")).isTrue();
        assertThat(has(values, "toolkit.env[0].name")).isTrue();
        assertThat(has(values, "toolkit.enable")).isFalse();
        assertThat(has(values, "toolkit.enabled[0]")).isFalse();
        assertThatCode(() -> GpuopCommand.newCommandLine().parseArgs("doctor", "--no-such-flag"))
            .isInstanceOf(picocli.CommandLine.UnmatchedArgumentException.class);
        assertThatCode(() -> GpuopCommand.newCommandLine().parseArgs("cdi", "generate"))
            .isInstanceOf(picocli.CommandLine.UnmatchedArgumentException.class);
        assertThat(DocCommands.words("kubectl get pods -l 'app in (a, b)' # x"))
            .containsExactly("kubectl", "get", "pods", "-l", "app in (a, b)", "#", "x");
        assertThat(DocCommands.stripComment("kubectl get clusterpolicy   # Status ready")).isEqualTo(
            "kubectl get clusterpolicy   ");
    }
}
