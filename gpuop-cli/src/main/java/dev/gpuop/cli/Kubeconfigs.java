package dev.gpuop.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** The cluster a command talks to; a kubeconfig that cannot be read is a bad command line, never a stack trace. */
final class Kubeconfigs {

    /**
     * fabric8 warns on stderr, on every run, that the ClusterPolicy API is v1alpha1: true, known, and noise in the
     * output of a command an admin reads (or pipes, with {@code 2>&1}, into a JSON parser). Held here because JUL
     * keeps loggers only weakly.
     */
    private static final java.util.logging.Logger VERSION_WARNING =
        java.util.logging.Logger.getLogger("io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils");

    static {
        VERSION_WARNING.setLevel(java.util.logging.Level.SEVERE);
    }

    private Kubeconfigs() {
    }

    /** The client for {@code --kubeconfig FILE}, else fabric8's default (KUBECONFIG, ~/.kube/config, the pod's). */
    static KubernetesClient client(CommandLine cl, Path kubeconfig) {
        if (kubeconfig == null) {
            return new KubernetesClientBuilder().build();
        }
        if (!Files.isReadable(kubeconfig) || Files.isDirectory(kubeconfig)) {
            throw new ParameterException(cl, "--kubeconfig " + kubeconfig + ": not a readable file");
        }
        try {
            return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
                .build();
        } catch (IOException | RuntimeException e) {
            throw new ParameterException(cl, "--kubeconfig " + kubeconfig + ": not a kubeconfig (" + e.getMessage()
                + ")");
        }
    }

    /** Like {@link #client}, but null when no cluster is named anywhere (no flag, KUBECONFIG, config or pod). */
    static KubernetesClient clientOrNull(CommandLine cl, Path kubeconfig) {
        if (kubeconfig != null) {
            return client(cl, kubeconfig);
        }
        String env = System.getenv("KUBECONFIG");
        boolean named = (env != null && !env.isBlank()) || System.getenv("KUBERNETES_SERVICE_HOST") != null
            || Files.exists(Path.of(System.getProperty("user.home"), ".kube", "config"));
        return named ? client(cl, null) : null;
    }
}
