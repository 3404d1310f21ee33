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
            throw new ToolkitException(file, "not valid TOML (" + oneLine(e.getMessage()) + "); gpuop changes nothing",
                "repair the file (`containerd --config " + file + " config dump` shows the first error) and retry",
                e);
        }
    }

    /**
     * The parser quotes the text it choked on, and that text can hold any control character (an ESC from a pasted
     * terminal line rewrites the terminal that shows the error), so every one is shown escaped, on one line.
     */
    static String oneLine(String message) {
        StringBuilder b = new StringBuilder();
        String.valueOf(message).chars().forEach(c -> {
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> b.append(Character.isISOControl(c) ? String.format("\\u%04x", c) : String.valueOf((char) c));
            }
        });
        return b.toString();
    }

    /**
     * Refuses a value that is there but not a list of strings, naming its key: containerd decodes the lists gpuop
     * extends ({@code imports}, {@code cdi_spec_dirs}) into string lists and refuses anything else, and gpuop would
     * otherwise fail on a cast halfway through planning.
     */
    public static void requireStringList(Config config, List<String> path, Path file) {
        Object v = config.get(path);
        if (v != null && !(v instanceof List<?> list && list.stream().allMatch(String.class::isInstance))) {
            throw new ToolkitException(file, "`" + dotted(path) + "` is " + shown(v) + ", not a list of strings; "
                + "gpuop changes nothing", "make it a list like [\"/etc/cdi\"] (containerd refuses anything else), "
                + "then retry");
        }
    }

    /** A value for a message: its kind for tables and lists, else the value, on one line. */
    static String shown(Object v) {
        if (v instanceof Config) {
            return "a table";
        }
        if (v instanceof List<?> list) {
            return "a list holding " + list.stream().filter(e -> !(e instanceof String)).findFirst()
                .map(ContainerdToml::shown).orElse("text");
        }
        return v instanceof String s ? "'" + oneLine(s) + "'" : oneLine(String.valueOf(v));
    }

    /** A key path as TOML writes it: {@code plugins."io.containerd.grpc.v1.cri".cdi_spec_dirs}. */
    static String dotted(List<String> path) {
        return String.join(".", path.stream().map(k -> k.matches("[A-Za-z0-9_-]+") ? k : "\"" + k + "\"")
            .toList());
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
