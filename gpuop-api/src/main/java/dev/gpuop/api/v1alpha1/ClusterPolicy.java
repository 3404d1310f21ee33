package dev.gpuop.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The one object that says what gpuop runs on the cluster's GPU nodes. Cluster-scoped; when several exist only the
 * oldest acts and the others are marked {@code ignored}. Cluster scope comes from not implementing
 * {@code Namespaced}.
 */
@Group(ClusterPolicy.GROUP)
@Version(ClusterPolicy.VERSION)
@ShortNames("gpupolicy")
@AdditionalPrinterColumn(name = "Status", jsonPath = ".status.state", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "GPU Nodes", jsonPath = ".status.gpuNodes", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready Nodes", jsonPath = ".status.readyNodes",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class ClusterPolicy extends CustomResource<ClusterPolicySpec, ClusterPolicyStatus> {

    /** The API group. */
    public static final String GROUP = "gpuop.dev";
    /** The API version. */
    public static final String VERSION = "v1alpha1";
    /** The name the Helm chart gives the policy, as NVIDIA's chart does. */
    public static final String DEFAULT_NAME = "cluster-policy";

    @Override
    protected ClusterPolicySpec initSpec() {
        return new ClusterPolicySpec();
    }

    /** The spec, never null (an empty spec means every default). */
    public ClusterPolicySpec spec() {
        return getSpec() == null ? new ClusterPolicySpec() : getSpec();
    }
}
