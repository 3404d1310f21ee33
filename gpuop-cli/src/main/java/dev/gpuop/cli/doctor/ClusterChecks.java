package dev.gpuop.cli.doctor;

import dev.gpuop.api.v1alpha1.ClusterPolicy;
import dev.gpuop.api.v1alpha1.ClusterPolicyStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The seed's cluster steps: the CRD, the operator Deployment, the ClusterPolicy's state, the RuntimeClass and
 * whether each GPU node's containerd has its handler, the GPU nodes' labels, their allocatable GPUs, and the node
 * checks the agents published. Reads a handful of lists; never writes.
 */
final class ClusterChecks {

    private static final String AREA = "cluster";
    static final String CRD = "clusterpolicies." + ClusterPolicy.GROUP;
    static final String VALIDATION = "gpuop.dev/validation";

    private final KubernetesClient k8s;
    private final String onlyNode;

    /**
     * @param onlyNode look at this node only, or all GPU nodes when null
     */
    ClusterChecks(KubernetesClient k8s, String onlyNode) {
        this.k8s = k8s;
        this.onlyNode = onlyNode;
    }

    void run(Consumer<Finding> out) {
        boolean crd = k8s.apiextensions().v1().customResourceDefinitions().withName(CRD).get() != null;
        out.accept(crd ? Finding.pass(AREA, "crd", CRD + " is installed")
            : Finding.fail(AREA, "crd", "no CRD " + CRD, "helm install gpuop deploy/helm/gpuop (the chart ships "
                + "the CRD); helm does not install CRDs on upgrade: kubectl apply -f deploy/helm/gpuop/crds/"));
        out.accept(operator());
        ClusterPolicy policy = crd ? k8s.resources(ClusterPolicy.class).list().getItems().stream()
            .min(Comparator.comparing(p -> String.valueOf(p.getMetadata().getCreationTimestamp()))).orElse(null)
            : null;
        out.accept(policy(crd, policy));
        String handler = runtimeClassHandler(out);
        List<Node> gpuNodes = k8s.nodes().withLabel("nvidia.com/gpu.present", "true").list().getItems().stream()
            .filter(n -> onlyNode == null || onlyNode.equals(n.getMetadata().getName())).toList();
        if (gpuNodes.isEmpty()) {
            out.accept(Finding.fail(AREA, "node-labels", onlyNode == null
                ? "no node is labelled nvidia.com/gpu.present=true"
                : "node " + onlyNode + " is not labelled nvidia.com/gpu.present=true (or does not exist)",
                "the operator's discovery labels nodes with an NVIDIA GPU on the PCI bus: check its pods with "
                    + "kubectl get pods -A -l app=gpuop-node-discovery, and run gpuop doctor on the node"));
            return;
        }
        for (Node n : gpuNodes) {
            node(n, handler, out);
        }
    }

    private Finding operator() {
        List<Deployment> ds = k8s.apps().deployments().inAnyNamespace()
            .withLabel("app.kubernetes.io/name", "gpuop").withLabel("app.kubernetes.io/component", "operator")
            .list().getItems();
        if (ds.isEmpty()) {
            return Finding.fail(AREA, "operator", "no gpuop operator Deployment in any namespace",
                "helm install --wait gpuop deploy/helm/gpuop -n gpu-operator --create-namespace");
        }
        Deployment d = ds.getFirst();
        Integer ready = d.getStatus() == null ? null : d.getStatus().getReadyReplicas();
        String where = d.getMetadata().getNamespace() + "/" + d.getMetadata().getName();
        return ready != null && ready > 0 ? Finding.pass(AREA, "operator", where + " ready")
            : Finding.fail(AREA, "operator", where + " has no ready replica",
                "kubectl -n " + d.getMetadata().getNamespace() + " describe deployment " + d.getMetadata().getName()
                    + " and kubectl logs deploy/" + d.getMetadata().getName());
    }

    private static Finding policy(boolean crd, ClusterPolicy p) {
        if (!crd) {
            return Finding.skip(AREA, "cluster-policy", "needs the CRD");
        }
        if (p == null) {
            return Finding.fail(AREA, "cluster-policy", "no ClusterPolicy", "the chart creates one unless "
                + "clusterPolicy.create=false: helm upgrade with the seed's flags");
        }
        ClusterPolicyStatus s = p.getStatus();
        String state = s == null || s.state() == null ? "unset" : WireNames.of(s.state());
        String name = p.getMetadata().getName();
        if (s != null && s.state() == dev.gpuop.api.v1alpha1.PolicyState.READY) {
            return Finding.pass(AREA, "cluster-policy", name + " ready");
        }
        // the Error condition when it is set, else why Ready is not (an operand still coming up)
        String why = s == null || s.conditions() == null ? "the operator has not written a status" : s.conditions()
            .stream().filter(c -> "Error".equals(c.getType()) && "True".equals(c.getStatus())).findFirst()
            .or(() -> s.conditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst())
            .map(c -> c.getReason() + ": " + c.getMessage()).orElse("no condition");
        return Finding.fail(AREA, "cluster-policy", name + " is " + state + ": " + why,
            "kubectl get clusterpolicy " + name + " -o yaml shows every operand and node; gpuop status sums it up");
    }

    /** The RuntimeClass's handler, or null when there is none. */
    private String runtimeClassHandler(Consumer<Finding> out) {
        RuntimeClass rc = k8s.resources(RuntimeClass.class).withName("nvidia").get();
        if (rc == null) {
            out.accept(Finding.fail(AREA, "runtime-class", "no RuntimeClass nvidia: the seed's pods "
                + "(runtimeClassName: nvidia) are refused", "the operator creates it: see the cluster-policy step"));
            return null;
        }
        out.accept(Finding.pass(AREA, "runtime-class", "RuntimeClass nvidia, handler " + rc.getHandler()));
        return rc.getHandler();
    }

    private void node(Node n, String handler, Consumer<Finding> out) {
        String name = n.getMetadata().getName();
        Map<String, String> labels = n.getMetadata().getLabels();
        Map<String, String> ann = n.getMetadata().getAnnotations() == null ? Map.of()
            : n.getMetadata().getAnnotations();
        String verdict = ann.get(VALIDATION);
        List<String> deploy = new ArrayList<>(labels.keySet().stream()
            .filter(k -> k.startsWith("nvidia.com/gpu.deploy.") && "true".equals(labels.get(k)))
            .map(k -> k.substring("nvidia.com/gpu.deploy.".length())).sorted().toList());
        out.accept(labels.containsKey("nvidia.com/gpu.product")
            ? Finding.pass(AREA, "node-labels", name + ": " + labels.get("nvidia.com/gpu.count") + "x "
                + labels.get("nvidia.com/gpu.product") + ", operands " + deploy)
            : Finding.warn(AREA, "node-labels", name + ": no nvidia.com/gpu.product label yet (operands "
                + deploy + ")", "the node agent writes the GPU labels once it reads the GPUs: see node-checks"));
        if (handler != null && verdict != null && verdict.startsWith("toolkit:")
            && verdict.contains("no runtime handler")) {
            out.accept(Finding.fail(AREA, "runtime-class", name + ": " + verdict.substring("toolkit: ".length()),
                "helm upgrade with toolkit.enabled=true cdi.enabled=true, or configure NVIDIA's runtime on the node"));
        }
        Quantity alloc = n.getStatus() == null || n.getStatus().getAllocatable() == null ? null
            : n.getStatus().getAllocatable().get("nvidia.com/gpu");
        long gpus = alloc == null ? 0 : Quantity.getAmountInBytes(alloc).longValue();
        boolean mig = n.getStatus() != null && n.getStatus().getAllocatable() != null && n.getStatus()
            .getAllocatable().keySet().stream().anyMatch(k -> k.startsWith("nvidia.com/mig-"));
        out.accept(gpus > 0 || mig ? Finding.pass(AREA, "allocatable", name + ": nvidia.com/gpu " + gpus
            + (mig ? " and MIG resources" : ""))
            : Finding.fail(AREA, "allocatable", name + ": no nvidia.com/gpu allocatable",
                "the device plugin has not registered: see node-checks, and kubectl -n <namespace> logs "
                    + "ds/gpuop-node-agent on the node"));
        if (verdict == null) {
            out.accept(Finding.fail(AREA, "node-checks", name + ": the node agent has published no checks",
                "is a gpuop-node-agent pod running on it? kubectl get pods -A -o wide --field-selector "
                    + "spec.nodeName=" + name));
        } else {
            out.accept("passed".equals(verdict) ? Finding.pass(AREA, "node-checks", name + ": every stage passed")
                : Finding.fail(AREA, "node-checks", name + ": " + verdict, "run gpuop doctor on " + name
                    + " for the host's side of it"));
        }
    }
}
