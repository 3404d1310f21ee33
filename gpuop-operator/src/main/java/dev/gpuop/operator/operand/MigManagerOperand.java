package dev.gpuop.operator.operand;

import dev.gpuop.api.v1alpha1.MigSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import java.util.List;

/**
 * The MIG manager: its work is the node agent's ({@code migManager} in the agent's config, {@link
 * NodeAgentConfigFile}), so it has no objects of its own. It is on when {@code migManager.enabled}, the policy
 * advertises MIG devices (strategy other than {@code none}) and some GPU node is MIG-capable; then MIG-capable nodes
 * get the default layout label ({@code NodeLabeler}). Its kinds stay listed so that the DaemonSet, service account
 * and RBAC of NVIDIA's MIG manager, which earlier gpuop versions ran, are deleted.
 */
public final class MigManagerOperand implements Operand {

    @Override
    public OperandId id() {
        return OperandId.MIG_MANAGER;
    }

    @Override
    public boolean enabled(RenderContext ctx) {
        return inAgent(ctx) && ctx.cluster().gpuNodes().stream().anyMatch(n -> n.migCapable());
    }

    /**
     * Whether the node agents run the MIG manager part: without asking whether a node is MIG-capable yet, so that
     * the first MIG-capable node that joins does not change every agent's config (and restart every agent).
     */
    static boolean inAgent(RenderContext ctx) {
        return ctx.spec().migManager().enabledOr(true)
            && ctx.spec().mig().strategyOrDefault() != MigSpec.Strategy.NONE;
    }

    @Override
    public List<HasMetadata> desired(RenderContext ctx) {
        return List.of();
    }

    @Override
    public List<Class<? extends HasMetadata>> kinds() {
        return List.of(ServiceAccount.class, ClusterRole.class, ClusterRoleBinding.class, DaemonSet.class);
    }
}
