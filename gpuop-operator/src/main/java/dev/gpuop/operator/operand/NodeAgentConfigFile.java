package dev.gpuop.operator.operand;

import dev.gpuop.api.v1alpha1.ConfigRef;
import dev.gpuop.operator.model.ImageRef;
import dev.gpuop.operator.model.ValidatorSettings;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The node agent's config file ({@code node-agent.yaml} in its ConfigMap), in the node agent's own format: which
 * parts run and where the device plugin's config is. The MIG and device-list strategies go as NVIDIA's env
 * variables instead, which win over a config file as in NVIDIA's plugin.
 */
final class NodeAgentConfigFile {

    /** The ConfigMap key and file name. */
    static final String KEY = "node-agent.yaml";
    /** The discovery pods' config file. */
    static final String DISCOVERY_KEY = "discovery.yaml";
    /** Discovery pods start no part and only report; they serve nothing, so any port will do. */
    static final String DISCOVERY = "discoveryOnly: true\nserver:\n  port: 8081\n";
    /** Where a user's device plugin ConfigMap is mounted. */
    static final String DEVICE_PLUGIN_CONFIG_DIR = "/etc/gpuop/device-plugin";
    /** Where a user's mig-parted ConfigMap is mounted; NVIDIA's key is {@code config.yaml}. */
    static final String MIG_CONFIG_DIR = "/etc/gpuop/mig-parted";

    private NodeAgentConfigFile() {
    }

    static String render(RenderContext ctx) {
        Map<String, Object> dp = new LinkedHashMap<>();
        dp.put("enabled", ctx.spec().devicePlugin().enabledOr(true));
        dp.put("kubeletDir", "/var/lib/kubelet/device-plugins");
        // where the DaemonSet mounts the host's MPS root (MPS_ROOT in the env)
        dp.put("mpsDir", "/mps");
        ConfigRef ref = ctx.spec().devicePlugin().getConfig();
        if (ref != null && ref.name() != null && !ref.name().isBlank()) {
            dp.put("configFile", DEVICE_PLUGIN_CONFIG_DIR + "/" + defaultKey(ref));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("devicePlugin", dp);
        // NVIDIA's gfd.enabled switches the agent's GPU feature labels
        doc.put("featureLabels", Map.of("enabled", ctx.spec().gfd().enabledOr(true)));
        // and dcgmExporter.enabled its DCGM-named GPU metrics, on dcgm-exporter's port, which the Service names
        Map<String, Object> exporter = new LinkedHashMap<>();
        exporter.put("enabled", NodeAgentOperand.metricsOn(ctx.spec()));
        exporter.put("port", 9400);
        doc.put("exporter", exporter);
        doc.put("server", Map.of("port", 8081));
        // NVIDIA's status files, where the DaemonSet mounts the host's /run/nvidia/validations
        Map<String, Object> validation = new LinkedHashMap<>();
        validation.put("dir", "/run/nvidia/validations");
        ValidatorSettings checks = ValidatorSettings.of(ctx.spec().validator(), new java.util.ArrayList<>());
        if (checks.interval() != null) {
            validation.put("interval", checks.interval().toSeconds() + "s");
        }
        if (!checks.cuda()) {
            validation.put("cuda", false);
        }
        if (checks.workload()) {
            validation.put("workload", workload(ctx));
        }
        doc.put("validation", validation);
        if (MigManagerOperand.inAgent(ctx)) {
            // the MIG manager part: the user's mig-parted ConfigMap when named, else layouts for the node's own GPUs
            Map<String, Object> mig = new LinkedHashMap<>();
            mig.put("enabled", true);
            if (migConfigMap(ctx) != null) {
                mig.put("configFile", MIG_CONFIG_DIR + "/config.yaml");
            }
            doc.put("migManager", mig);
        }
        if (NodeAgentOperand.cdiOn(ctx.spec())) {
            // the spec the toolkit step wrote, kept true to the driver by the agent; paths as the DaemonSet mounts
            Map<String, Object> cdi = new LinkedHashMap<>();
            cdi.put("enabled", true);
            cdi.put("specDir", "/var/run/cdi");
            cdi.put("toolkitStateDir", "/var/lib/gpuop/toolkit");
            doc.put("cdi", cdi);
        }
        return io.fabric8.kubernetes.client.utils.Serialization.asYaml(doc).replaceFirst("^---\\n", "");
    }

    /**
     * The workload check's pod: in the operands' namespace, on the policy's runtime class, with the validator's image
     * when the policy names one, else the node agent's (the command it runs is gpuop's own).
     */
    private static Map<String, Object> workload(RenderContext ctx) {
        String agentImage = ImageRef.resolve(ctx.spec().nodeAgent(), "spec.nodeAgent",
            ctx.settings().nodeAgentImage());
        var v = ctx.spec().validator();
        boolean own = isBlank(v.getRepository()) && isBlank(v.getImage()) && isBlank(v.getVersion());
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("namespace", ctx.namespace());
        w.put("image", own ? agentImage : ImageRef.resolve(v, "spec.validator", agentImage));
        String pull = !isBlank(v.getImagePullPolicy()) ? v.getImagePullPolicy()
            : ctx.spec().nodeAgent().getImagePullPolicy();
        if (!isBlank(pull)) {
            w.put("imagePullPolicy", pull);
        }
        w.put("runtimeClass", ctx.spec().operator().runtimeClassOrDefault());
        return w;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /** The user's mig-parted ConfigMap, when the MIG manager part runs and the policy names one; else null. */
    static String migConfigMap(RenderContext ctx) {
        ConfigRef ref = ctx.spec().migManager().getConfig();
        return MigManagerOperand.inAgent(ctx) && ref != null && ref.name() != null && !ref.name().isBlank()
            ? ref.name() : null;
    }

    /** The key of the device plugin ConfigMap that nodes use; NVIDIA's chart calls a single key {@code config}. */
    static String defaultKey(ConfigRef ref) {
        return ref.defaultConfig() == null || ref.defaultConfig().isBlank() ? "config" : ref.defaultConfig();
    }
}
