package dev.gpuop.node.toolkit;

import com.electronwill.nightconfig.core.CommentedConfig;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The top-level {@code imports} of a containerd config, edited as text so that the rest of the user's file stays
 * byte for byte as it was: one line changes or one line is added.
 */
public final class ImportsLine {

    private static final Pattern ONE_LINE = Pattern.compile("(?m)^imports\\s*=\\s*\\[(.*)]\\s*(#.*)?$");
    private static final Pattern VERSION = Pattern.compile("(?m)^version\\s*=.*$");
    private static final Pattern HEADER = Pattern.compile("(?m)^\\s*\\[");

    private ImportsLine() {
    }

    /** True when one of the config's imports (globs, relative to its dir) names the file. */
    public static boolean covers(CommentedConfig config, Path configFile, Path file) {
        if (!(config.get("imports") instanceof List<?> imports)) {
            return false;
        }
        Path dir = configFile.toAbsolutePath().getParent();
        Path target = file.toAbsolutePath().normalize();
        for (Object entry : imports) {
            Path pattern = dir.resolve(String.valueOf(entry)).normalize();
            String glob = pattern.toString().replace("\\", "\\\\").replace("{", "\\{").replace("[", "\\[");
            if (FileSystems.getDefault().getPathMatcher("glob:" + glob).matches(target)) {
                return true;
            }
        }
        return false;
    }

    /** The config text with {@code entry} added to its imports (creating the key when missing). */
    public static String add(String text, CommentedConfig parsed, String entry) {
        String edited = addAsText(text, parsed, entry);
        if (edited != null && addsEntry(edited, parsed, entry)) {
            return edited;
        }
        // a multi-line array, or a line edit that a `]` in a comment fooled: edit through the parser (comments
        // survive, layout may not)
        List<Object> imports = new ArrayList<>(parsed.contains("imports") ? parsed.get("imports") : List.of());
        imports.add(entry);
        CommentedConfig copy = ContainerdToml.copy(parsed);
        copy.set("imports", imports);
        return ContainerdToml.write(copy);
    }

    /** The one-line edit, or null when there is a multi-line {@code imports} array. */
    private static String addAsText(String text, CommentedConfig parsed, String entry) {
        String quoted = "\"" + entry + "\"";
        int firstHeader = firstHeader(text);
        Matcher line = ONE_LINE.matcher(text);
        if (line.find() && line.start() < firstHeader) {
            String inner = line.group(1).trim();
            String items = inner.isEmpty() ? quoted : inner.replaceAll(",\\s*$", "") + ", " + quoted;
            String comment = line.group(2) == null ? "" : " " + line.group(2);
            return text.substring(0, line.start()) + "imports = [" + items + "]" + comment
                + text.substring(line.end());
        }
        if (parsed.contains("imports")) {
            return null;
        }
        Matcher version = VERSION.matcher(text);
        if (version.find() && version.start() < firstHeader) {
            return text.substring(0, version.end()) + "\nimports = [" + quoted + "]" + text.substring(version.end());
        }
        return "imports = [" + quoted + "]\n" + text;
    }

    /**
     * True when the edited text reads back as the old imports plus the entry: the line pattern cannot tell a `]`
     * in a trailing comment ({@code imports = [] # see [docs]}) from the end of the list.
     */
    private static boolean addsEntry(String edited, CommentedConfig parsed, String entry) {
        List<Object> expected = new ArrayList<>(parsed.contains("imports") ? parsed.get("imports") : List.of());
        expected.add(entry);
        try {
            return expected.equals(ContainerdToml.parse(edited, Path.of("config.toml")).get("imports"));
        } catch (ToolkitException e) {
            return false;
        }
    }

    private static int firstHeader(String text) {
        Matcher m = HEADER.matcher(text);
        return m.find() ? m.start() : text.length();
    }
}
