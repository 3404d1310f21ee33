package dev.gpuop.cli;

import dev.gpuop.cli.doctor.Doctor;
import dev.gpuop.cli.doctor.DoctorReport;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code gpuop doctor}: every step of the seed, on this host and in the cluster, with evidence and a fix. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
    description = DoctorCommand.DESCRIPTION,
    exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {"0:no step failed (warnings and skips allowed)",
        "1:a step failed (each says how to fix it)", ExitCodes.USAGE_LINE})
final class DoctorCommand implements Callable<Integer> {

    static final String DESCRIPTION = "Checks every step of the seed tutorial and says PASS, FAIL, WARN or SKIP with "
        + "the evidence and a fix naming the file, flag or command. On the host: NVIDIA GPU on the PCI bus, nouveau, "
        + "the kernel module and /proc/driver/nvidia/version, NVML, the driver libraries, the CUDA vector add, "
        + "NVIDIA's toolkit binaries, the containerd config (plain, RKE2 or K3s, template included), the nvidia "
        + "handler in what containerd loaded, the CDI spec against the GPUs, the kubelet's device-plugin socket. In "
        + "the cluster (with --kubeconfig, KUBECONFIG or in a pod): the CRD, the operator, the ClusterPolicy, "
        + "RuntimeClass nvidia and its handler on each GPU node, node labels, allocatable GPUs, the node agent's "
        + "checks. It never changes anything.";

    @Mixin
    ContainerdOptions containerd;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
        description = "Check the cluster too, with this kubeconfig (default: KUBECONFIG or the pod's service "
            + "account when set; otherwise the cluster half is skipped).")
    Path kubeconfig;

    @Option(names = "--node", paramLabel = "NAME", description = "In the cluster, look at this GPU node only.")
    String node;

    @Option(names = "--no-host", description = "Skip the host half (a workstation with a kubeconfig).")
    boolean noHost;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
        description = "table or json (default: ${DEFAULT-VALUE}).")
    String output;

    @Option(names = "--simulate", paramLabel = "FIXTURE", hidden = true,
        description = "Simulated GPUs instead of the driver (tests).")
    String simulate;

    @Option(names = "--runtime-class", paramLabel = "NAME", defaultValue = "nvidia",
        description = "The runtime class handler to look for (default: ${DEFAULT-VALUE}).")
    String handler;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (!List.of("table", "json").contains(output)) {
            throw new ParameterException(spec.commandLine(), "--output must be table or json, not " + output);
        }
        Path root = containerd.hostRoot;
        if (!noHost && !Files.isDirectory(root)) {
            throw new ParameterException(spec.commandLine(), "--host-root " + root + ": not a directory");
        }
        KubernetesClient k8s = Kubeconfigs.clientOrNull(spec.commandLine(), kubeconfig);
        DoctorReport report;
        try {
            report = new Doctor(noHost ? null : containerd.hints(), simulate, handler, k8s, node).run();
        } finally {
            if (k8s != null) {
                k8s.close();
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print("json".equals(output) ? Serialization.asJson(report) + "\n" : report.table());
        out.flush();
        return report.failed() ? ExitCodes.FAILED : ExitCodes.OK;
    }
}
