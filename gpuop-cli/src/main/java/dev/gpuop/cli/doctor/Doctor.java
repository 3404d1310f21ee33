package dev.gpuop.cli.doctor;

import dev.gpuop.node.toolkit.SetupHints;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;

/** Runs the host half, then the cluster half, of {@code gpuop doctor}. */
public final class Doctor {

    /** Every step doctor reports, in its order; docs/troubleshooting.md has a section for each (a test checks). */
    public static final List<String> STEPS = List.of("pci", "nouveau", "kernel-module", "nvml", "driver-libraries",
        "cuda", "nvidia-toolkit", "containerd-config", "containerd-handler", "cdi-spec", "device-plugin-socket",
        "cluster", "api-server", "crd", "operator", "cluster-policy", "runtime-class", "node-labels", "allocatable",
        "node-checks");

    private final SetupHints host;
    private final String simulate;
    private final String handler;
    private final KubernetesClient k8s;
    private final String node;

    /**
     * @param host the host to examine (its root and containerd hints), or null to skip the host half
     * @param simulate a simulated GPU fixture, or null for the driver
     * @param handler the runtime class's handler
     * @param k8s the cluster, or null to skip the cluster half
     * @param node the one GPU node to look at in the cluster, or null for all
     */
    public Doctor(SetupHints host, String simulate, String handler, KubernetesClient k8s, String node) {
        this.host = host;
        this.simulate = simulate;
        this.handler = handler;
        this.k8s = k8s;
        this.node = node;
    }

    public DoctorReport run() {
        List<Finding> findings = new ArrayList<>();
        if (host != null) {
            try (DriverChecks driver = new DriverChecks(host.hostRoot(), simulate)) {
                driver.run(findings::add);
                new RuntimeChecks(host, handler).run(driver.host(), findings::add);
            }
        }
        if (k8s == null) {
            findings.add(Finding.skip("cluster", "cluster", "no cluster given: --kubeconfig FILE, KUBECONFIG, or "
                + "run in a pod"));
        } else {
            try {
                new ClusterChecks(k8s, node).run(findings::add);
            } catch (KubernetesClientException e) {
                findings.add(Finding.fail("cluster", "api-server", "the API server did not answer: "
                    + (e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                        : e.getMessage()), "check the kubeconfig's server and credentials: kubectl get nodes"));
            }
        }
        return DoctorReport.of(host == null ? null : host.hostRoot().toString(), findings);
    }
}
