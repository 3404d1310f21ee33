package dev.gpuop.operator.operand;

import dev.gpuop.operator.model.ImageRef;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.util.List;

/**
 * Finds GPU nodes when no NFD does ({@code nfd.enabled=false}, the default): the node agent in discovery-only mode
 * on Linux nodes without {@code nvidia.com/gpu.present}, which labels each node {@code true} or {@code false} from
 * its PCI bus and then leaves it. With NFD the operand is off and NFD's PCI labels decide.
 */
public final class NodeDiscoveryOperand implements Operand {

    @Override
    public OperandId id() {
        return OperandId.NODE_DISCOVERY;
    }

    @Override
    public boolean enabled(RenderContext ctx) {
        return !ctx.spec().nfd().isEnabled();
    }

    @Override
    public List<HasMetadata> desired(RenderContext ctx) {
        if (!enabled(ctx)) {
            return List.of();
        }
        String image = ImageRef.resolve(ctx.spec().nodeAgent(), "spec.nodeAgent", ctx.settings().nodeAgentImage());
        DaemonSet ds = Skeletons.load("node-discovery/0100_daemonset.yaml", DaemonSet.class);
        Container c = ds.getSpec().getTemplate().getSpec().getContainers().getFirst();
        c.setImage(image);
        c.setImagePullPolicy(ctx.spec().nodeAgent().getImagePullPolicy() == null ? "IfNotPresent"
            : ctx.spec().nodeAgent().getImagePullPolicy());
        // the node agent's env (a simulated fixture on a test cluster, a proxy, ...) applies to discovery too
        DaemonSets.setEnv(c, ctx.spec().nodeAgent().getEnv());
        DaemonSets.applyCommon(ds, ctx.spec().daemonsets(), false);
        return List.of(ds);
    }

    @Override
    public List<Class<? extends HasMetadata>> kinds() {
        return List.of(DaemonSet.class);
    }
}
