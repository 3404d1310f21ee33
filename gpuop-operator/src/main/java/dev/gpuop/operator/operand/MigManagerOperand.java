package dev.gpuop.operator.operand;

import dev.gpuop.api.v1alpha1.ConfigRef;
import dev.gpuop.api.v1alpha1.EnvVar;
import dev.gpuop.api.v1alpha1.MigManagerSpec;
import dev.gpuop.operator.model.ImageRef;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import java.util.ArrayList;
import java.util.List;

/**
 * NVIDIA's MIG manager, unchanged, on nodes the labeler marks MIG-capable, when {@code migManager.enabled}, the
 * policy advertises MIG devices (strategy other than {@code none}) and some GPU node is MIG-capable, so clusters
 * without MIG GPUs neither run nor need to configure it.
 */
public final class MigManagerOperand implements Operand {

    @Override
    public OperandId id() {
        return OperandId.MIG_MANAGER;
    }

    @Override
    public boolean enabled(RenderContext ctx) {
        return ctx.spec().migManager().enabledOr(true)
            && ctx.spec().mig().strategyOrDefault() != dev.gpuop.api.v1alpha1.MigSpec.Strategy.NONE
            && ctx.cluster().gpuNodes().stream().anyMatch(n -> n.migCapable());
    }

    @Override
    public List<HasMetadata> desired(RenderContext ctx) {
        if (!enabled(ctx)) {
            return List.of();
        }
        MigManagerSpec spec = ctx.spec().migManager();
        String image = ImageRef.resolve(spec, "spec.migManager", ctx.settings().migManagerImage());
        ClusterRoleBinding binding = Skeletons.load("mig-manager/0300_clusterrolebinding.yaml",
            ClusterRoleBinding.class);
        binding.getSubjects().forEach(s -> s.setNamespace(ctx.namespace()));
        DaemonSet ds = Skeletons.load("mig-manager/0400_daemonset.yaml", DaemonSet.class);
        Container c = ds.getSpec().getTemplate().getSpec().getContainers().getFirst();
        DaemonSets.applyComponent(ds.getSpec().getTemplate().getSpec(), c, spec, image);
        List<EnvVar> env = new ArrayList<>();
        ConfigRef config = spec.getConfig();
        if (config != null && config.name() != null && !config.name().isBlank()) {
            env.add(new EnvVar("CONFIG_FILE", "/mig-parted-config/config.yaml"));
            ds.getSpec().getTemplate().getSpec().getVolumes().add(new io.fabric8.kubernetes.api.model
                .VolumeBuilder().withName("mig-parted-config").withNewConfigMap().withName(config.name())
                .endConfigMap().build());
            c.getVolumeMounts().add(new io.fabric8.kubernetes.api.model.VolumeMountBuilder()
                .withName("mig-parted-config").withMountPath("/mig-parted-config").build());
        }
        DaemonSets.setEnv(c, env);
        DaemonSets.applyCommon(ds, ctx.spec().daemonsets(), false);
        return List.of(Skeletons.load("mig-manager/0100_serviceaccount.yaml", ServiceAccount.class),
            Skeletons.load("mig-manager/0200_clusterrole.yaml", ClusterRole.class), binding, ds);
    }

    @Override
    public List<Class<? extends HasMetadata>> kinds() {
        return List.of(ServiceAccount.class, ClusterRole.class, ClusterRoleBinding.class, DaemonSet.class);
    }
}
