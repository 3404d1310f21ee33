package dev.gpuop.testsupport;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real one-node cluster of {@code testenv/}: kube-apiserver, scheduler, controller-manager, containerd and a
 * kubelet on this machine. {@link #get()} starts it, or reuses a healthy one, through {@code testenv/cluster.sh up};
 * whoever started the test run stops it ({@code scripts/test.sh} does, with {@code cluster.sh down}).
 */
public final class TestCluster {

    /** The node the kubelet registers. */
    public static final String NODE = "gpuop-node";
    /** The kubelet's device-plugin directory in testenv (fixed, as on real nodes). */
    public static final Path DEVICE_PLUGINS = Path.of("/var/lib/kubelet/device-plugins");
    /** The busybox image testenv imports into containerd (pods must use imagePullPolicy Never). */
    public static final String BUSYBOX = "docker.io/library/busybox:1.35";

    private static TestCluster instance;

    private final Path repo;
    private final Path kubeconfig;

    private TestCluster(Path repo, Path kubeconfig) {
        this.repo = repo;
        this.kubeconfig = kubeconfig;
    }

    /** The cluster, started on first use in this JVM (a cluster already up is reused). */
    public static synchronized TestCluster get() {
        if (instance == null) {
            Path repo = repoRoot();
            String out = run(repo, List.of("up"), 900).strip();
            Path kubeconfig = Path.of(out.lines().reduce((a, b) -> b).orElseThrow());
            instance = new TestCluster(repo, kubeconfig);
        }
        return instance;
    }

    /** A client of the cluster's API server; the caller closes it. */
    public KubernetesClient client() {
        try {
            Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
            return new KubernetesClientBuilder().withConfig(config).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Restarts the kubelet alone, as an admin would; returns when the node is Ready again. */
    public void restartKubelet() {
        run(repo, List.of("restart-kubelet"), 180);
    }

    /**
     * Stops the API server (and etcd too, with {@code withEtcd}) for the given seconds and starts it again; returns
     * when it answers again.
     */
    public void apiServerOutage(int seconds, boolean withEtcd) {
        List<String> args = new ArrayList<>(List.of("outage", Integer.toString(seconds)));
        if (withEtcd) {
            args.add("etcd");
        }
        run(repo, args, seconds + 180L);
    }

    /**
     * Imports an image archive (OCI or docker-save) into the node's containerd under a name (also when an image of
     * that name is already there); returns the name pods use.
     */
    public String importImage(Path archive, String name) {
        String out = run(repo, List.of("import", archive.toString(), name), 300).strip();
        return out.lines().reduce((a, b) -> b).orElseThrow().strip();
    }

    /** Adds n simulated GPU nodes (KWOK); 0 removes them. */
    public void kwokNodes(int n) {
        run(repo, List.of("kwok", Integer.toString(n)), 900);
    }

    /** The kubeconfig file of the cluster (admin credentials). */
    public Path kubeconfig() {
        return kubeconfig;
    }

    /** The repository root (holds testenv/cluster.sh and bin/gpuop). */
    public Path repo() {
        return repo;
    }

    private static Path repoRoot() {
        Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (p != null && !Files.isExecutable(p.resolve("testenv/cluster.sh"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("testenv/cluster.sh not found above " + System.getProperty("user.dir"));
        }
        return p;
    }

    private static String run(Path repo, List<String> args, long timeoutSeconds) {
        List<String> cmd = new ArrayList<>(List.of("bash", repo.resolve("testenv/cluster.sh").toString()));
        cmd.addAll(args);
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().putIfAbsent("GPUOP_TESTENV_BUILD", "0");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("testenv/cluster.sh " + String.join(" ", args) + " failed: " + out
                    + " (is testenv built? run testenv/build.sh; it needs root)");
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
