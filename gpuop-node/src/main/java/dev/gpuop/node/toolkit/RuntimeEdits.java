package dev.gpuop.node.toolkit;

import com.electronwill.nightconfig.core.CommentedConfig;
import com.electronwill.nightconfig.core.Config;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * What gpuop wants in containerd's CRI config, computed from the config containerd reads now: the handler tables
 * (each a copy of the default runc runtime, so SystemdCgroup and the rest match the node) and single keys
 * ({@code default_runtime_name}, {@code enable_cdi}, {@code cdi_spec_dirs}). Pure: the strategies decide where
 * these go.
 *
 * @param tables handler tables by config path
 * @param keys single values by config path
 * @param notes what the user should know (e.g. no CDI in this containerd)
 */
public record RuntimeEdits(Map<List<String>, CommentedConfig> tables, Map<List<String>, Object> keys,
                           List<String> notes) {

    /** The runtimes whose settings a new handler copies, in order of preference (after the default one). */
    static final List<String> TEMPLATE_RUNTIMES = List.of("runc", "crun");

    /** Computes the edits for a config of the given version. */
    public static RuntimeEdits plan(Config source, ConfigVersion version, ToolkitSettings settings, CdiSupport cdi) {
        Map<List<String>, CommentedConfig> tables = new LinkedHashMap<>();
        Map<List<String>, Object> keys = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        String templateName = templateRuntime(source, version);
        Config template = templateName == null ? null
            : ContainerdToml.table(source, ContainerdToml.path(version.runtimes(), templateName));
        for (RuntimeHandler handler : settings.handlers()) {
            tables.put(ContainerdToml.path(version.runtimes(), handler.name()),
                handlerTable(template, handler, settings));
        }
        if (settings.setAsDefault()) {
            keys.put(version.defaultRuntimeName(), settings.runtimeName());
        }
        if (settings.cdiEnabled()) {
            cdiKeys(source, version, settings, cdi, keys, notes);
        }
        if (settings.runtimeBinary() == null) {
            notes.add("no nvidia-container-runtime on this host: handler " + settings.runtimeName()
                + " runs plain runc and gets GPUs from the CDI spec through containerd");
        }
        return new RuntimeEdits(tables, keys, notes);
    }

    /** The runtime to copy: containerd's default one unless it is an NVIDIA one, else runc, else crun. */
    static String templateRuntime(Config source, ConfigVersion version) {
        List<String> candidates = new ArrayList<>();
        Object def = source.get(version.defaultRuntimeName());
        if (def instanceof String name && !name.startsWith("nvidia")) {
            candidates.add(name);
        }
        candidates.addAll(TEMPLATE_RUNTIMES);
        for (String name : candidates) {
            if (ContainerdToml.table(source, ContainerdToml.path(version.runtimes(), name)) != null) {
                return name;
            }
        }
        return null;
    }

    private static CommentedConfig handlerTable(Config template, RuntimeHandler handler, ToolkitSettings settings) {
        CommentedConfig table = template == null ? ContainerdToml.empty() : ContainerdToml.copy(template);
        if (!(table.get("runtime_type") instanceof String type) || type.isEmpty()) {
            table.set("runtime_type", settings.runtimeType());
        }
        if (handler.binaryName() != null) {
            table.set(List.of("options", "BinaryName"), handler.binaryName());
        }
        if (settings.cdiEnabled()) {
            LinkedHashSet<Object> annotations = new LinkedHashSet<>();
            if (table.get("container_annotations") instanceof List<?> existing) {
                annotations.addAll(existing);
            }
            annotations.add(ToolkitSettings.CDI_ANNOTATIONS);
            table.set("container_annotations", new ArrayList<>(annotations));
        }
        return table;
    }

    private static void cdiKeys(Config source, ConfigVersion version, ToolkitSettings settings, CdiSupport cdi,
                                Map<List<String>, Object> keys, List<String> notes) {
        List<String> enable = ContainerdToml.path(version.runtimePlugin(), "enable_cdi");
        List<String> dirs = ContainerdToml.path(version.runtimePlugin(), "cdi_spec_dirs");
        switch (cdi) {
            case NONE -> notes.add("this containerd has no CDI support in its CRI plugin (it came in 1.7): "
                + "GPUs reach containers only through nvidia-container-runtime");
            case OFF_BY_DEFAULT -> {
                keys.put(enable, true);
                keys.put(dirs, mergedDirs(source.get(dirs), settings));
            }
            case ON_BY_DEFAULT -> {
                if (Boolean.FALSE.equals(source.get(enable))) {
                    keys.put(enable, true);
                }
                List<String> merged = mergedDirs(source.get(dirs), settings);
                boolean readsOurs = source.get(dirs) == null ? settings.cdiDirIsDefault()
                    : ((List<?>) source.get(dirs)).contains(settings.cdiDir());
                if (!readsOurs) {
                    keys.put(dirs, merged);
                }
            }
            default -> throw new IllegalStateException(cdi.name());
        }
    }

    private static List<String> mergedDirs(Object existing, ToolkitSettings settings) {
        LinkedHashSet<String> dirs = new LinkedHashSet<>();
        if (existing instanceof List<?> list) {
            list.forEach(d -> dirs.add(String.valueOf(d)));
        } else {
            dirs.addAll(ToolkitSettings.DEFAULT_CDI_DIRS);
        }
        dirs.addAll(settings.cdiSpecDirs());
        return new ArrayList<>(dirs);
    }

    /** Writes every table and key into a config (the in-place and drop-in strategies). */
    public void applyTo(CommentedConfig target) {
        tables.forEach((path, table) -> {
            target.set(path, ContainerdToml.copy(table));
            target.setComment(path, " added by gpuop toolkit (gpuop toolkit uninstall removes it)");
        });
        keys.forEach(target::set);
    }
}
