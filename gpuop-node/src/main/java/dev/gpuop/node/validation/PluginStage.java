package dev.gpuop.node.validation;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The plugin stage: the kubelet took the device plugin's resources. Where the kubelet's pod-resources API answers,
 * every resource the plugin serves must be allocatable there (fewer devices than offered is no failure: the kubelet
 * leaves out the ones the plugin reports unhealthy, which the health monitor reports on its own); where it does not
 * answer (an old kubelet), the plugin's own registration is the evidence.
 */
public final class PluginStage {

    /**
     * The device plugin's side.
     *
     * @param enabled whether the agent runs its device plugin
     * @param registered whether the kubelet accepted its registration
     * @param offered devices offered per resource name
     * @param why why it is not registered, when it is not
     */
    public record Plugin(boolean enabled, boolean registered, Map<String, Integer> offered, String why) {
    }

    private PluginStage() {
    }

    /** The verdict. */
    public static StageResult check(Plugin plugin, KubeletAllocatable kubelet) {
        if (!plugin.enabled()) {
            return StageResult.skipped(ValidationStage.PLUGIN, "the device plugin is off");
        }
        if (!plugin.registered()) {
            return StageResult.failed(ValidationStage.PLUGIN, plugin.why());
        }
        String offered = text(plugin.offered());
        if (kubelet.error() != null) {
            return StageResult.passed(ValidationStage.PLUGIN, "the kubelet took " + offered + " (registration only: "
                + kubelet.error() + ")");
        }
        List<String> absent = plugin.offered().keySet().stream()
            .filter(name -> kubelet.devices().getOrDefault(name, 0) == 0).toList();
        Map<String, Integer> listed = kubelet.devices().entrySet().stream()
            .filter(e -> plugin.offered().containsKey(e.getKey()))
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, Integer::sum, java.util.TreeMap::new));
        return absent.isEmpty()
            ? StageResult.passed(ValidationStage.PLUGIN, "the kubelet lists " + text(listed)
                + " as allocatable (offered " + offered + ")")
            : StageResult.failed(ValidationStage.PLUGIN, "the kubelet lists no allocatable " + absent
                + " although the device plugin registered them (offered " + offered + ")");
    }

    private static String text(Map<String, Integer> m) {
        return m.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }
}
