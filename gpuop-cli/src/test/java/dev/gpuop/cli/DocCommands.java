package dev.gpuop.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The commands and manifests of the user docs, as a reader copies them: every line of a {@code ```sh} block (a
 * trailing {@code \} joins the next line, a {@code # comment} is dropped), and every {@code ```yaml} block that is a
 * Kubernetes object. Tests check each against the real thing, so the docs cannot drift from the product.
 */
public final class DocCommands {

    /** The user docs whose commands are checked, relative to the repository root. */
    public static final List<String> DOCS = List.of("README.md", "docs/quickstart-rke2.md", "docs/quickstart-k3s.md",
        "docs/troubleshooting.md", "docs/migrating.md", "deploy/helm/gpuop/README.md");

    /** One command line: where it is, and its words (quotes removed). */
    public record Command(String where, String text, List<String> words) {

        public String program() {
            return words.getFirst();
        }

        public List<String> args() {
            return words.subList(1, words.size());
        }
    }

    /** One Kubernetes object from a yaml block. */
    public record Manifest(String where, String yaml) {
    }

    private DocCommands() {
    }

    public static List<Command> commands(Path repo) {
        List<Command> out = new ArrayList<>();
        for (String doc : DOCS) {
            List<String> lines = lines(repo.resolve(doc));
            String fence = null;
            StringBuilder pending = new StringBuilder();
            int start = 0;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.startsWith("```")) {
                    fence = fence == null ? line.substring(3).strip() : null;
                    continue;
                }
                if (!"sh".equals(fence)) {
                    continue;
                }
                String code = stripComment(line).stripTrailing();
                if (pending.isEmpty()) {
                    start = i + 1;
                }
                if (code.endsWith("\\")) {
                    pending.append(code, 0, code.length() - 1).append(' ');
                    continue;
                }
                pending.append(code);
                String text = pending.toString().strip().replaceAll("\\s+", " ");
                pending.setLength(0);
                if (!text.isEmpty()) {
                    out.add(new Command(doc + ":" + start, text, words(text)));
                }
            }
        }
        return out;
    }

    public static List<Manifest> manifests(Path repo) {
        List<Manifest> out = new ArrayList<>();
        for (String doc : DOCS) {
            List<String> lines = lines(repo.resolve(doc));
            StringBuilder block = null;
            int start = 0;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (block == null && line.equals("```yaml")) {
                    block = new StringBuilder();
                    start = i + 1;
                } else if (block != null && line.startsWith("```")) {
                    if (block.toString().contains("\nkind: ") || block.toString().startsWith("apiVersion:")) {
                        out.add(new Manifest(doc + ":" + start, block.toString()));
                    }
                    block = null;
                } else if (block != null) {
                    block.append(line).append('\n');
                }
            }
        }
        return out;
    }

    private static List<String> lines(Path doc) {
        try {
            return Files.readAllLines(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The line without a shell comment ({@code #} at its start or after a blank, outside quotes). */
    static String stripComment(String line) {
        boolean single = false;
        boolean dbl = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'' && !dbl) {
                single = !single;
            } else if (c == '"' && !single) {
                dbl = !dbl;
            } else if (c == '#' && !single && !dbl && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    /** Shell words: blanks split, quotes group and are removed (no expansion). */
    static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        char quote = 0;
        boolean inWord = false;
        for (char c : text.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    w.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else {
                w.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(w.toString());
        }
        return words;
    }
}
