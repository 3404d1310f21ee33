package dev.gpuop.operator.operand;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the other operands need before they run: the node agent's service account and its least-privilege roles
 * (its Node; its workload check's pods in the operands' namespace),
 * the RuntimeClass {@code nvidia} (and {@code nvidia-cdi} with CDI on) that the seed's pod names, and the node
 * agent's config rendered from the policy. Always enabled.
 */
public final class Prerequisites implements Operand {

    @Override
    public OperandId id() {
        return OperandId.PREREQUISITES;
    }

    @Override
    public boolean enabled(RenderContext ctx) {
        return true;
    }

    @Override
    public List<HasMetadata> desired(RenderContext ctx) {
        List<HasMetadata> out = new ArrayList<>();
        out.add(Skeletons.load("prerequisites/0100_serviceaccount.yaml", ServiceAccount.class));
        out.add(Skeletons.load("prerequisites/0200_clusterrole.yaml", ClusterRole.class));
        out.add(Skeletons.load("prerequisites/0210_role.yaml", Role.class));
        ClusterRoleBinding binding = Skeletons.load("prerequisites/0300_clusterrolebinding.yaml",
            ClusterRoleBinding.class);
        binding.getSubjects().forEach(s -> s.setNamespace(ctx.namespace()));
        out.add(binding);
        RoleBinding podsBinding = Skeletons.load("prerequisites/0310_rolebinding.yaml", RoleBinding.class);
        podsBinding.getSubjects().forEach(s -> s.setNamespace(ctx.namespace()));
        out.add(podsBinding);
        String name = ctx.spec().operator().runtimeClassOrDefault();
        out.add(runtimeClass(name));
        if (ctx.spec().cdi().isEnabled()) {
            out.add(runtimeClass(name + "-cdi"));
        }
        ConfigMap config = Skeletons.load("prerequisites/0500_configmap.yaml", ConfigMap.class);
        config.setData(new java.util.TreeMap<>(Map.of(NodeAgentConfigFile.KEY, NodeAgentConfigFile.render(ctx),
            NodeAgentConfigFile.DISCOVERY_KEY, NodeAgentConfigFile.DISCOVERY)));
        out.add(config);
        return out;
    }

    private static RuntimeClass runtimeClass(String name) {
        RuntimeClass rc = Skeletons.load("prerequisites/0400_runtimeclass.yaml", RuntimeClass.class);
        rc.getMetadata().setName(name);
        rc.setHandler(name);
        return rc;
    }

    @Override
    public List<Class<? extends HasMetadata>> kinds() {
        return List.of(ServiceAccount.class, ClusterRole.class, Role.class, ClusterRoleBinding.class,
            RoleBinding.class, RuntimeClass.class, ConfigMap.class);
    }
}
