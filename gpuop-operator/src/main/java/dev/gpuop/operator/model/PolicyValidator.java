package dev.gpuop.operator.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.gpuop.api.v1alpha1.ClusterPolicySpec;
import dev.gpuop.api.v1alpha1.ComponentSpec;
import dev.gpuop.api.v1alpha1.ConfigRef;
import dev.gpuop.api.v1alpha1.EnvVar;
import dev.gpuop.api.v1alpha1.MigSpec;
import dev.gpuop.api.v1alpha1.OperatorSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks what the CRD schema cannot: values gpuop cannot honour on this cluster. Every problem names the field, so
 * the status condition and the event tell the admin exactly what to change. Image references are checked where
 * they are resolved ({@link ImageRef}).
 */
public final class PolicyValidator {

    private static final Set<String> PULL_POLICIES = Set.of("Always", "IfNotPresent", "Never");
    private static final Set<String> MIG_STRATEGIES = Set.of("none", "single", "mixed");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** The toolkit variables that name host files, whose directories the toolkit step mounts. */
    private static final Set<String> HOST_PATH_VARIABLES = Set.of("CONTAINERD_CONFIG", "CONTAINERD_SOCKET",
        "RUNTIME_CONFIG", "RUNTIME_SOCKET");

    private PolicyValidator() {
    }

    /**
     * Validates a policy.
     *
     * @param devicePluginConfig the data of the ConfigMap {@code devicePlugin.config.name} names; null when it was
     *     not looked up (a dry run without a cluster), empty when the ConfigMap does not exist
     */
    public static List<PolicyProblem> validate(ClusterPolicySpec spec, ClusterInfo cluster,
                                               Map<String, String> devicePluginConfig) {
        List<PolicyProblem> problems = new ArrayList<>();
        OperatorSpec.ContainerRuntime runtime = spec.operator().defaultRuntime();
        if (runtime != null && runtime != OperatorSpec.ContainerRuntime.CONTAINERD) {
            problems.add(new PolicyProblem("spec.operator.defaultRuntime", "gpuop supports containerd only (RKE2, "
                + "K3s and plain containerd), got " + runtime.name().toLowerCase(java.util.Locale.ROOT)));
        }
        sections(spec).forEach((field, c) -> component(field, c, problems));
        String max = spec.daemonsets().rollingUpdate() == null ? null
            : spec.daemonsets().rollingUpdate().maxUnavailable();
        if (max != null && !isBudget(max)) {
            problems.add(new PolicyProblem("spec.daemonsets.rollingUpdate.maxUnavailable",
                "'" + max + "' is neither a count nor a percentage like 10%"));
        }
        if (spec.mig().strategyOrDefault() == MigSpec.Strategy.MIXED) {
            List<String> noMig = cluster.gpuNodes().stream().filter(n -> !n.migCapable()).map(GpuNode::name)
                .toList();
            if (!noMig.isEmpty()) {
                problems.add(new PolicyProblem("spec.mig.strategy", "mixed advertises nvidia.com/mig-<profile> "
                    + "resources, but these GPU nodes have no MIG-capable GPU: " + first(noMig)
                    + "; use single, or none"));
            }
        }
        if (spec.toolkit().enabledOr(true) && !spec.cdi().isEnabled()) {
            // gpuop ships no runtime binary that reads NVIDIA_VISIBLE_DEVICES: without CDI its handler is plain
            // runc and a pod would start without its GPU, with nothing to say so
            problems.add(new PolicyProblem("spec.cdi.enabled", "false gives pods no GPU: gpuop's toolkit hands GPUs "
                + "to containers only by CDI; set cdi.enabled=true, or toolkit.enabled=false where NVIDIA's "
                + "nvidia-container-runtime is installed on the hosts"));
        }
        emptyTolerations(spec.daemonsets().tolerations(), problems);
        hostPaths(spec.toolkit().getEnv(), problems);
        devicePluginConfig(spec.devicePlugin().getConfig(), devicePluginConfig, problems);
        mpsRoot(spec, problems);
        UpgradePolicyValidator.validate(spec.driver().upgradePolicy(), problems);
        ValidatorSettings.of(spec.validator(), problems);
        nodeAgentPartImages(spec, problems);
        return problems;
    }

    /**
     * A DaemonSet's maxUnavailable as Kubernetes takes it: a count that fits an int (the DaemonSet carries it as one;
     * 2147483648 failed the render with a NumberFormatException) or a percentage up to 100%.
     */
    static boolean isBudget(String max) {
        if (max.matches("\\d{1,3}%")) {
            return Integer.parseInt(max.substring(0, max.length() - 1)) <= 100;
        }
        return max.matches("\\d{1,10}") && Long.parseLong(max) <= Integer.MAX_VALUE;
    }

    /** A null toleration (a bare `-` in YAML) failed the render of every DaemonSet with a NullPointerException. */
    private static void emptyTolerations(List<?> tolerations, List<PolicyProblem> problems) {
        for (int i = 0; tolerations != null && i < tolerations.size(); i++) {
            if (tolerations.get(i) == null) {
                problems.add(new PolicyProblem("spec.daemonsets.tolerations[" + i + "]", "an empty entry; each "
                    + "needs a key or an operator"));
            }
        }
    }

    /**
     * The MPS root is a host directory the node agent mounts and pods get mounts from, so it must be an absolute path
     * and is set in one place: {@code MPS_ROOT} in the env would differ from the directory the agent mounts.
     */
    private static void mpsRoot(ClusterPolicySpec spec, List<PolicyProblem> problems) {
        String root = spec.devicePlugin().mpsRoot();
        if (!root.startsWith("/") || root.equals("/") || root.chars().anyMatch(Character::isISOControl)) {
            problems.add(new PolicyProblem("spec.devicePlugin.mps.root", "'" + root + "' is not an absolute "
                + "directory on the host; NVIDIA's default is /run/nvidia/mps"));
        }
        List<EnvVar> env = spec.devicePlugin().getEnv();
        for (int i = 0; i < env.size(); i++) {
            if (env.get(i) != null && "MPS_ROOT".equals(env.get(i).name())) {
                problems.add(new PolicyProblem("spec.devicePlugin.env[" + i + "].name", "MPS_ROOT is set by "
                    + "devicePlugin.mps.root, which also decides the directory the node agent mounts"));
            }
        }
    }

    /**
     * A host file must be an absolute path: the step mounts its directory, and a relative name has none (the
     * render mounted the host's / over the container's), while an empty value or a NUL failed the render itself.
     */
    private static void hostPaths(List<EnvVar> env, List<PolicyProblem> problems) {
        for (int i = 0; i < env.size(); i++) {
            EnvVar v = env.get(i);
            String path = v == null || v.value() == null ? "" : v.value();
            if (v != null && v.name() != null && HOST_PATH_VARIABLES.contains(v.name())
                && (!path.startsWith("/") || path.chars().anyMatch(Character::isISOControl))) {
                problems.add(new PolicyProblem("spec.toolkit.env[" + i + "].value", "'" + path + "' is not "
                    + "an absolute path on the host, as " + v.name() + " must be"));
            }
        }
    }

    /** The sections whose work gpuop's node agent does, which therefore take no image of their own. */
    static final List<String> NODE_AGENT_PARTS = List.of("toolkit", "devicePlugin", "gfd", "dcgmExporter",
        "migManager");

    /**
     * NVIDIA's image keys of the parts gpuop's node agent runs are refused: NVIDIA's container-toolkit, device
     * plugin, GFD, dcgm-exporter or MIG manager image would be started with gpuop's arguments (the first wave honoured
     * {@code toolkit.repository/image/version} so). One image runs every node part: {@code nodeAgent}'s.
     */
    static void nodeAgentPartImages(ClusterPolicySpec spec, List<PolicyProblem> problems) {
        Map<String, ComponentSpec> all = sections(spec);
        for (String part : NODE_AGENT_PARTS) {
            ComponentSpec c = all.get("spec." + part);
            Map<String, String> keys = new LinkedHashMap<>();
            keys.put("repository", c.getRepository());
            keys.put("image", c.getImage());
            keys.put("version", c.getVersion());
            keys.forEach((k, v) -> {
                if (v != null && !v.isBlank()) {
                    problems.add(new PolicyProblem("spec." + part + "." + k, "refused: gpuop's node agent does this "
                        + "part's work in its own image (spec.nodeAgent's, by default the operator's); NVIDIA's "
                        + "image for it would run with gpuop's arguments. Remove the key"));
                }
            });
        }
    }

    /** Every operand section by its path. */
    static Map<String, ComponentSpec> sections(ClusterPolicySpec spec) {
        Map<String, ComponentSpec> m = new LinkedHashMap<>();
        m.put("spec.driver", spec.driver());
        m.put("spec.toolkit", spec.toolkit());
        m.put("spec.devicePlugin", spec.devicePlugin());
        m.put("spec.gfd", spec.gfd());
        m.put("spec.dcgmExporter", spec.dcgmExporter());
        m.put("spec.validator", spec.validator());
        m.put("spec.migManager", spec.migManager());
        m.put("spec.nodeAgent", spec.nodeAgent());
        return m;
    }

    private static void component(String field, ComponentSpec c, List<PolicyProblem> problems) {
        if (c.getImagePullPolicy() != null && !PULL_POLICIES.contains(c.getImagePullPolicy())) {
            problems.add(new PolicyProblem(field + ".imagePullPolicy", "'" + c.getImagePullPolicy()
                + "' is not one of Always, IfNotPresent, Never"));
        }
        List<EnvVar> env = c.getEnv();
        for (int i = 0; i < env.size(); i++) {
            if (env.get(i) == null) {
                // YAML reads a bare `-` as a null entry
                problems.add(new PolicyProblem(field + ".env[" + i + "]", "an empty entry; each needs a name"));
                continue;
            }
            String name = env.get(i).name();
            if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_.-]*")) {
                problems.add(new PolicyProblem(field + ".env[" + i + "].name", "'" + name
                    + "' is not an environment variable name"));
            }
        }
        if (c.getResources() != null) {
            quantities(field + ".resources.limits", c.getResources().getLimits(), problems);
            quantities(field + ".resources.requests", c.getResources().getRequests(), problems);
        }
    }

    private static void quantities(String field, Map<String, Quantity> q, List<PolicyProblem> problems) {
        if (q == null) {
            return;
        }
        q.forEach((k, v) -> {
            if (!isQuantity(v)) {
                problems.add(new PolicyProblem(field + "." + k, "'" + v + "' is not a quantity like 500m or 1Gi"));
            }
        });
    }

    private static boolean isQuantity(Quantity v) {
        // an empty value (`memory:` in YAML) is none either, and fabric8 throws a NullPointerException on it
        if (v == null) {
            return false;
        }
        try {
            Quantity.getAmountInBytes(v);
            return true;
        } catch (IllegalArgumentException | ArithmeticException e) {
            return false;
        }
    }

    private static void devicePluginConfig(ConfigRef ref, Map<String, String> data, List<PolicyProblem> problems) {
        if (ref == null || ref.name() == null || ref.name().isBlank() || data == null) {
            return;
        }
        if (data.isEmpty()) {
            problems.add(new PolicyProblem("spec.devicePlugin.config.name", "ConfigMap '" + ref.name()
                + "' does not exist or is empty in the operator's namespace"));
            return;
        }
        String key = ref.defaultConfig() == null || ref.defaultConfig().isBlank() ? "config" : ref.defaultConfig();
        if (!data.containsKey(key)) {
            problems.add(new PolicyProblem("spec.devicePlugin.config.default", "ConfigMap '" + ref.name()
                + "' has no key '" + key + "' (keys: " + data.keySet() + ")"));
            return;
        }
        data.forEach((k, text) -> deviceConfigFile(ref.name() + "/" + k, text, problems));
    }

    /**
     * NVIDIA's device plugin config format v1, checked as far as the operator can without the plugin: what it lets
     * through, the node agent loads (its sharing rules are the agent's).
     */
    public static void deviceConfigFile(String where, String text, List<PolicyProblem> problems) {
        String field = "spec.devicePlugin.config (" + where + ")";
        JsonNode doc;
        try {
            doc = YAML.readTree(text == null ? "" : text);
        } catch (java.io.IOException e) {
            problems.add(new PolicyProblem(field, "not YAML: " + e.getMessage().lines().findFirst().orElse("")));
            return;
        }
        if (doc == null || !doc.isObject()) {
            problems.add(new PolicyProblem(field, "not a device plugin config (expected a mapping with version: v1)"));
            return;
        }
        if (!"v1".equals(doc.path("version").asText())) {
            problems.add(new PolicyProblem(field + ".version", "must be v1, got '" + doc.path("version").asText()
                + "'"));
        }
        JsonNode mig = doc.path("flags").path("migStrategy");
        if (!mig.isMissingNode() && !MIG_STRATEGIES.contains(mig.asText())) {
            problems.add(new PolicyProblem(field + ".flags.migStrategy", "'" + mig.asText()
                + "' is not one of none, single, mixed"));
        }
        // the node agent's rules for sharing (DevicePluginSettings), which are NVIDIA's: a config the operator lets
        // through must be one the agent loads (DevicePluginConfigAgreementTest holds the two to it)
        JsonNode sharing = doc.path("sharing");
        if (sharing.has("timeSlicing") && sharing.has("mps")) {
            problems.add(new PolicyProblem(field + ".sharing", "timeSlicing and mps cannot both be set"));
        }
        for (String kind : List.of("timeSlicing", "mps")) {
            JsonNode resources = sharing.path(kind).path("resources");
            if (!resources.isMissingNode() && !resources.isArray()) {
                // a mapping here has a size but no entries by index
                problems.add(new PolicyProblem(field + ".sharing." + kind + ".resources", "must be a list of "
                    + "{name, replicas} entries, got '" + resources + "'"));
                continue;
            }
            java.util.Set<String> names = new java.util.HashSet<>();
            for (int i = 0; i < resources.size(); i++) {
                JsonNode r = resources.get(i);
                String at = field + ".sharing." + kind + ".resources[" + i + "]";
                JsonNode replicas = r.path("replicas");
                if (!replicas.isIntegralNumber() || !replicas.canConvertToInt() || replicas.asInt() < 2) {
                    problems.add(new PolicyProblem(at + ".replicas", "must be a whole number of at least 2 (NVIDIA's "
                        + "rule; no sharing section means one per GPU), got '" + replicas.asText() + "'"));
                }
                String name = r.path("name").asText();
                if (!name.startsWith("nvidia.com/")) {
                    problems.add(new PolicyProblem(at + ".name", "a resource name like nvidia.com/gpu is required, "
                        + "got '" + name + "'"));
                } else if (!names.add(name)) {
                    problems.add(new PolicyProblem(at + ".name", "'" + name + "' is listed twice"));
                }
            }
        }
    }

    private static String first(List<String> names) {
        return names.size() <= 5 ? String.join(", ", names)
            : String.join(", ", names.subList(0, 5)) + " and " + (names.size() - 5) + " more";
    }
}
