package dev.gpuop.node.toolkit;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A K3s/RKE2 containerd template: Go {@code text/template} that K3s renders into {@code config.toml} at every
 * start. gpuop never parses it as TOML (it is not TOML); it keeps the user's text, requires the
 * {@code {{ template "base" . }}} include (without it the template replaces K3s's whole config: gpu-operator#992),
 * and owns one marked block of plain TOML at the end.
 */
public final class TemplateFile {

    /** The line that expands K3s's stock config. */
    public static final String BASE_INCLUDE = "{{ template \"base\" . }}";
    static final String BEGIN = "# BEGIN gpuop toolkit: runtime handlers from `gpuop toolkit install`; "
        + "`gpuop toolkit uninstall` removes this block";
    static final String END = "# END gpuop toolkit";

    private static final Pattern INCLUDE = Pattern.compile("\\{\\{-?\\s*template\\s+\"base\"\\s+\\.\\s*-?}}");
    private static final Pattern BLOCK = Pattern.compile(
        "\\n?" + Pattern.quote(BEGIN) + "\\n.*?" + Pattern.quote(END) + "\\n?", Pattern.DOTALL);

    private TemplateFile() {
    }

    /** True when the template expands K3s's base config. */
    public static boolean hasBaseInclude(String template) {
        return INCLUDE.matcher(template).find();
    }

    /** The text without our block (a rendered config.toml carries it too, since comments pass through). */
    public static String stripBlock(String text) {
        return BLOCK.matcher(text).replaceAll("");
    }

    /** Our block around the given TOML. */
    public static String block(String toml) {
        return BEGIN + "\n" + toml + (toml.endsWith("\n") ? "" : "\n") + END + "\n";
    }

    /**
     * The template with our block (replacing an older one), or a new template when there is none; null when there
     * is no template and nothing to add.
     */
    public static String withBlock(String template, String block) {
        if (template == null) {
            return block.isEmpty() ? null : BASE_INCLUDE + "\n\n" + block;
        }
        String stripped = stripBlock(template);
        if (block.isEmpty()) {
            return stripped;
        }
        return stripped + (stripped.endsWith("\n") ? "" : "\n") + "\n" + block;
    }

    /**
     * What K3s would render: the base include replaced by the base config. Null when the template uses other
     * template actions gpuop cannot evaluate.
     */
    public static String render(String template, String base) {
        Matcher m = INCLUDE.matcher(template);
        String rendered = m.replaceFirst(Matcher.quoteReplacement(base));
        return rendered.contains("{{") ? null : rendered;
    }
}
