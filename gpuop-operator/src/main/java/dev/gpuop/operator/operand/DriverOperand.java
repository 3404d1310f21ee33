package dev.gpuop.operator.operand;

import dev.gpuop.api.v1alpha1.ComponentSpec;
import dev.gpuop.operator.model.DriverState;
import dev.gpuop.operator.model.GpuNode;
import dev.gpuop.operator.model.ImageRef;
import dev.gpuop.operator.model.OsTag;
import dev.gpuop.operator.model.PolicyException;
import dev.gpuop.operator.model.PolicyProblem;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * NVIDIA's driver container, when {@code driver.enabled}, after gpuop's own prestart step (gpuop's image, {@code
 * gpuop driver prestart}). It runs only where the deploy label says {@code true},
 * which the node labeler writes only after the node agent reported no host driver; nodes with a pre-installed
 * driver get {@code pre-installed} and never see a driver pod. The image tag gets the nodes' OS suffix, so all nodes
 * that need the driver must run one OS (NVIDIA's limit, reported as a policy problem instead of a wrong image).
 */
public final class DriverOperand implements Operand {

    @Override
    public OperandId id() {
        return OperandId.DRIVER;
    }

    @Override
    public boolean enabled(RenderContext ctx) {
        return ctx.spec().driver().enabledOr(true);
    }

    @Override
    public List<HasMetadata> desired(RenderContext ctx) {
        if (!enabled(ctx)) {
            return List.of();
        }
        ComponentSpec spec = ctx.spec().driver();
        String image = ImageRef.resolve(spec, "spec.driver", ctx.settings().driverImage());
        if (!ImageRef.isDigest(image)) {
            image = image + "-" + osTag(ctx);
        }
        DaemonSet ds = Skeletons.load("driver/0200_daemonset.yaml", DaemonSet.class);
        Container c = ds.getSpec().getTemplate().getSpec().getContainers().getFirst();
        DaemonSets.applyComponent(ds.getSpec().getTemplate().getSpec(), c, spec, image);
        Container prestart = ds.getSpec().getTemplate().getSpec().getInitContainers().getFirst();
        prestart.setImage(ImageRef.resolve(ctx.spec().nodeAgent(), "spec.nodeAgent", ctx.settings().nodeAgentImage()));
        String pull = ctx.spec().nodeAgent().getImagePullPolicy();
        prestart.setImagePullPolicy(pull == null ? "IfNotPresent" : pull);
        // the prestart image is gpuop's: its pull secrets too
        var pod = ds.getSpec().getTemplate().getSpec();
        for (String secret : ctx.spec().nodeAgent().getImagePullSecrets()) {
            if (pod.getImagePullSecrets().stream().noneMatch(r -> secret.equals(r.getName()))) {
                pod.getImagePullSecrets().add(new io.fabric8.kubernetes.api.model.LocalObjectReference(secret));
            }
        }
        DaemonSets.applyCommon(ds, ctx.spec().daemonsets(), true);
        return List.of(Skeletons.load("driver/0100_serviceaccount.yaml", ServiceAccount.class), ds);
    }

    /** The one OS tag of the nodes that will run the driver; nodes whose report is pending count too. */
    static String osTag(RenderContext ctx) {
        Set<String> tags = new TreeSet<>();
        for (GpuNode n : ctx.cluster().gpuNodes()) {
            if (n.driver() != DriverState.PREINSTALLED) {
                tags.add(OsTag.of(n.osImage()).orElseThrow(() -> new PolicyException(new PolicyProblem(
                    "spec.driver.enabled", "node " + n.name() + " runs '" + n.osImage() + "', for which NVIDIA "
                    + "builds no driver image; set driver.enabled=false and install the driver on the host"))));
            }
        }
        if (tags.size() > 1) {
            throw new PolicyException(new PolicyProblem("spec.driver.enabled", "the driver container needs one OS "
                + "on all GPU nodes without a host driver, found " + tags + "; install the driver on the hosts "
                + "or label the other nodes nvidia.com/gpu.deploy.driver=false"));
        }
        // no node needs the driver yet: the DaemonSet selects no node, and its tag is rewritten when one appears
        return tags.isEmpty() ? "ubuntu24.04" : tags.iterator().next();
    }

    @Override
    public List<Class<? extends HasMetadata>> kinds() {
        return List.of(ServiceAccount.class, DaemonSet.class);
    }
}
