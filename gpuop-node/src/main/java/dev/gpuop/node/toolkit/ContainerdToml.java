package dev.gpuop.node.toolkit;

import com.electronwill.nightconfig.core.CommentedConfig;
import com.electronwill.nightconfig.core.Config;
import com.electronwill.nightconfig.core.io.ParsingException;
import com.electronwill.nightconfig.toml.TomlFormat;
import com.electronwill.nightconfig.toml.TomlParser;
import com.electronwill.nightconfig.toml.TomlWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * containerd's TOML through NightConfig, which keeps comments, key order and sections it does not know, so that an
 * edit changes only what gpuop means to change. Keys with dots (plugin ids) are always addressed as path lists.
 */
public final class ContainerdToml {

    static {
        Config.setInsertionOrderPreserved(true);
    }

    private ContainerdToml() {
    }

    /** Parses a config; a syntax error becomes a refusal naming the file. */
    public static CommentedConfig parse(String text, Path file) {
        try {
            return new TomlParser().parse(text);
        } catch (ParsingException e) {
            String why = String.valueOf(e.getMessage()).replace("\n", "\\n").replace("\r", "\\r")
                .replace("\t", "\\t");
            throw new ToolkitException(file, "not valid TOML (" + why + "); gpuop changes nothing",
                "repair the file (`containerd --config " + file + " config dump` shows the first error) and retry",
                e);
        }
    }

    /** A new, empty config that keeps insertion order. */
    public static CommentedConfig empty() {
        return TomlFormat.newConfig();
    }

    /** Writes a config as TOML, flat: no indentation, so that deep CRI tables stay readable. */
    public static String write(CommentedConfig config) {
        TomlWriter writer = new TomlWriter();
        writer.setIndent("");
        return writer.writeToString(config);
    }

    /**
     * A deep, mutable copy: sub-tables and arrays are copied too, so that edits of the copy leave the source alone
     * (NightConfig's own copy shares nested tables).
     */
    public static CommentedConfig copy(Config source) {
        CommentedConfig copy = empty();
        for (Config.Entry e : source.entrySet()) {
            copy.set(List.of(e.getKey()), copyValue(e.getValue()));
            if (source instanceof CommentedConfig cc && cc.getComment(List.of(e.getKey())) != null) {
                copy.setComment(List.of(e.getKey()), cc.getComment(List.of(e.getKey())));
            }
        }
        return copy;
    }

    private static Object copyValue(Object value) {
        if (value instanceof Config c) {
            return copy(c);
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(v -> out.add(copyValue(v)));
            return out;
        }
        return value;
    }

    /** The sub-table at a path, or null when there is none (or the value there is not a table). */
    public static Config table(Config config, List<String> path) {
        Object v = config.get(path);
        return v instanceof Config c ? c : null;
    }

    /** A path plus more keys. */
    public static List<String> path(List<String> base, String... more) {
        List<String> p = new ArrayList<>(base);
        p.addAll(List.of(more));
        return List.copyOf(p);
    }
}
