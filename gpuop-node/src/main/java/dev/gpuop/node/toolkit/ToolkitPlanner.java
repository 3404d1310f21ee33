package dev.gpuop.node.toolkit;

import com.electronwill.nightconfig.core.CommentedConfig;
import com.electronwill.nightconfig.core.Config;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decides what {@code install} writes, from the files alone (pure apart from reading them): a drop-in where
 * containerd merges imported sections (2.x), the root config in place where it would replace them (1.x), and on
 * K3s/RKE2 never the generated config but a drop-in it imports or the template.
 */
public final class ToolkitPlanner {

    static final String DROP_IN_HEADER =
        "# Written by `gpuop toolkit install`; `gpuop toolkit uninstall` removes it.\n";

    private ToolkitPlanner() {
    }

    /** The plan for {@code install}. */
    public static ToolkitPlan install(ContainerdSetup setup, ToolkitSettings settings) {
        return setup.distribution().rendersConfig() ? rendered(setup, settings) : plain(setup, settings);
    }

    private static ToolkitPlan plain(ContainerdSetup setup, ToolkitSettings settings) {
        Path file = setup.config();
        String text = read(file);
        boolean blank = text == null || text.isBlank();
        CommentedConfig root = blank ? ContainerdToml.empty() : ContainerdToml.parse(text, file);
        ConfigVersion version = blank ? defaultVersion(setup) : ConfigVersion.of(root, file);
        checkListKeys(root, version, file);
        RuntimeEdits edits = RuntimeEdits.plan(root, version, settings,
            CdiSupport.of(setup.binaryVersion(), version));
        if (setup.mergesDropIns(version)) {
            Path dropIn = setup.dropIn(version);
            List<FileChange> changes = new ArrayList<>();
            changes.add(dropInChange(dropIn, version, edits));
            if (!ImportsLine.covers(root, file, dropIn)) {
                String glob = dropIn.getParent().toAbsolutePath() + "/*.toml";
                String base = blank ? "version = " + version.number() + "\n" : text;
                CommentedConfig parsed = blank ? ContainerdToml.parse(base, file) : root;
                changes.add(new FileChange(file, text, ImportsLine.add(base, parsed, glob)));
            }
            return new ToolkitPlan(ToolkitPlan.Strategy.DROP_IN, changes, null, edits.notes());
        }
        CommentedConfig target = ContainerdToml.copy(root);
        if (blank) {
            target.set("version", version.number());
        }
        edits.applyTo(target);
        String after = !blank && target.valueMap().equals(root.valueMap()) ? text : ContainerdToml.write(target);
        return new ToolkitPlan(ToolkitPlan.Strategy.IN_PLACE, List.of(new FileChange(file, text, after)), null,
            edits.notes());
    }

    private static ToolkitPlan rendered(ContainerdSetup setup, ToolkitSettings settings) {
        Path file = setup.config();
        String text = read(file);
        String dist = setup.distribution().id();
        if (text == null) {
            throw new ToolkitException(file, dist + " has not rendered its containerd config yet",
                "start " + dist + " once so that it writes this file, then retry");
        }
        String base = TemplateFile.stripBlock(text);
        CommentedConfig baseConfig = ContainerdToml.parse(base, file);
        ConfigVersion version = ConfigVersion.of(baseConfig, file);
        checkListKeys(baseConfig, version, file);
        RuntimeEdits edits = RuntimeEdits.plan(baseConfig, version, settings,
            CdiSupport.of(setup.binaryVersion(), version));
        Path dropIn = setup.dropIn(version);
        if (setup.mergesDropIns(version) && ImportsLine.covers(baseConfig, file, dropIn)) {
            return new ToolkitPlan(ToolkitPlan.Strategy.DROP_IN, List.of(dropInChange(dropIn, version, edits)),
                null, edits.notes());
        }
        return template(setup, baseConfig, base, edits);
    }

    private static ToolkitPlan template(ContainerdSetup setup, CommentedConfig base, String baseText,
                                       RuntimeEdits edits) {
        Path file = setup.template();
        String text = read(file);
        String dist = setup.distribution().id();
        if (text != null && !TemplateFile.hasBaseInclude(text)) {
            throw new ToolkitException(file, "this template does not include " + TemplateFile.BASE_INCLUDE
                + ", so it replaces " + dist + "'s whole containerd config (registries, CNI, sandbox image)",
                "put the line " + TemplateFile.BASE_INCLUDE + " at its top (keeping only your additions below it)"
                    + " or delete the file, then retry");
        }
        List<String> notes = new ArrayList<>(edits.notes());
        CommentedConfig block = ContainerdToml.empty();
        for (Map.Entry<List<String>, CommentedConfig> e : edits.tables().entrySet()) {
            String name = e.getKey().getLast();
            if (ContainerdToml.table(base, e.getKey()) != null) {
                notes.add("handler " + name + " is already rendered by " + dist + " (its runtime detection); "
                    + "gpuop leaves it to " + dist);
            } else {
                block.set(e.getKey(), ContainerdToml.copy(e.getValue()));
            }
        }
        for (Map.Entry<List<String>, Object> e : edits.keys().entrySet()) {
            templateKey(setup, base, block, e.getKey(), e.getValue(), notes);
        }
        String blockText = block.isEmpty() ? "" : TemplateFile.block(ContainerdToml.write(block));
        String after = TemplateFile.withBlock(text, blockText);
        String render = after == null ? null : TemplateFile.render(after, baseText);
        if (after != null && render == null) {
            notes.add(file + " uses template actions gpuop cannot evaluate; only containerd's start will check it");
        }
        return new ToolkitPlan(ToolkitPlan.Strategy.TEMPLATE, List.of(new FileChange(file, text, after)), render,
            notes);
    }

    /** A key under a table the base template already writes cannot be added (TOML forbids a second header). */
    private static void templateKey(ContainerdSetup setup, Config base, CommentedConfig block, List<String> key,
                                    Object value, List<String> notes) {
        if (value.equals(base.get(key))) {
            return;
        }
        List<String> table = key.subList(0, key.size() - 1);
        if (ContainerdToml.table(base, table) == null) {
            block.set(key, value);
            return;
        }
        String dist = setup.distribution().id();
        if (key.getLast().equals("default_runtime_name")) {
            throw new ToolkitException(setup.template(), dist + "'s base template already writes the table that "
                + "holds default_runtime_name, so a template cannot change the default runtime",
                "leave out --set-as-default and put `default-runtime: " + value + "` into /etc/rancher/" + dist
                    + "/config.yaml (then restart " + dist + ")");
        }
        notes.add("cannot set " + key.getLast() + " from the template (" + dist + "'s base writes its table): "
            + "CDI through containerd stays as " + dist + " configures it; the nvidia-cdi handler still works");
    }

    /** The lists gpuop reads and extends must be lists of strings before anything is planned. */
    private static void checkListKeys(Config config, ConfigVersion version, Path file) {
        ContainerdToml.requireStringList(config, List.of("imports"), file);
        ContainerdToml.requireStringList(config, ContainerdToml.path(version.runtimePlugin(), "cdi_spec_dirs"), file);
    }

    private static FileChange dropInChange(Path dropIn, ConfigVersion version, RuntimeEdits edits) {
        String before = read(dropIn);
        CommentedConfig config = ContainerdToml.empty();
        config.set("version", version.number());
        edits.applyTo(config);
        if (before != null && ContainerdToml.parse(before, dropIn).valueMap().equals(config.valueMap())) {
            return new FileChange(dropIn, before, before);
        }
        return new FileChange(dropIn, before, DROP_IN_HEADER + ContainerdToml.write(config));
    }

    private static ConfigVersion defaultVersion(ContainerdSetup setup) {
        return setup.binaryVersion() != null && setup.binaryVersion().major() >= 2 ? ConfigVersion.V3
            : ConfigVersion.V2;
    }

    /** A file's text, or null when it does not exist. */
    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (CharacterCodingException e) {
            // readable, but not text containerd can read: blaming permissions would send the admin the wrong way
            throw new ToolkitException(file, "not UTF-8 text (containerd reads its config as UTF-8 TOML); gpuop "
                + "changes nothing", "save it as UTF-8 (`iconv -f LATIN1 -t UTF-8` for a Latin-1 file), then retry", e);
        } catch (IOException e) {
            throw new ToolkitException(file, "cannot read it (" + e.getMessage() + ")",
                "run gpuop as root, or with read access to this file", e);
        }
    }
}
