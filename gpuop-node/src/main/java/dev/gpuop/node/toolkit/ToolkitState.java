package dev.gpuop.node.toolkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What {@code install} changed, so that {@code uninstall} restores exactly that: for each file its content before
 * gpuop first touched it (the kept previous file; null when it did not exist) and a hash of what gpuop wrote last.
 * Written before the files themselves, so a crash between the two still leaves a way back.
 *
 * @param files one entry per file, in the order they were written
 * @param createdDirs directories gpuop created for its files (removed again by uninstall when empty)
 */
public record ToolkitState(List<Entry> files, List<String> createdDirs) {

    /** The file name in the state dir. */
    public static final String FILE = "toolkit-state.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * One file.
     *
     * @param path the file
     * @param original its content before gpuop, null when gpuop created it
     * @param writtenSha256 the hash of gpuop's content, or of the empty string when gpuop deleted it
     */
    public record Entry(String path, String original, String writtenSha256) {
    }

    public ToolkitState {
        files = List.copyOf(files);
        createdDirs = createdDirs == null ? List.of() : List.copyOf(createdDirs);
    }

    /** No state: nothing installed. */
    public static ToolkitState empty() {
        return new ToolkitState(List.of(), List.of());
    }

    /** True when nothing is recorded. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isEmpty() {
        return files.isEmpty();
    }

    /** Reads the state, or an empty one when there is none. */
    public static ToolkitState read(Path stateDir) {
        Path file = stateDir.resolve(FILE);
        if (!Files.exists(file)) {
            return empty();
        }
        try {
            return JSON.readValue(file.toFile(), ToolkitState.class);
        } catch (IOException e) {
            throw new ToolkitException(file, "the toolkit state is unreadable (" + e.getMessage() + ")",
                "restore the files it lists by hand, then delete it");
        }
    }

    /** Writes the state atomically. */
    public void write(Path stateDir) {
        try {
            SafeFileWriter.write(stateDir.resolve(FILE), JSON.writeValueAsBytes(this));
        } catch (IOException e) {
            throw new ToolkitException(stateDir.resolve(FILE), "cannot write the toolkit state: " + e, null);
        }
    }

    /** The state after the given changes: first originals kept, written hashes updated. */
    public ToolkitState with(List<FileChange> changes, List<Path> newDirs) {
        List<Entry> out = new ArrayList<>(files);
        for (FileChange c : changes) {
            String path = c.path().toAbsolutePath().toString();
            Entry old = out.stream().filter(e -> e.path().equals(path)).findFirst().orElse(null);
            String original = old != null ? old.original() : c.before();
            out.removeIf(e -> e.path().equals(path));
            out.add(new Entry(path, original, sha256(c.after() == null ? "" : c.after())));
        }
        List<String> dirs = new ArrayList<>(createdDirs);
        newDirs.forEach(d -> dirs.add(d.toAbsolutePath().toString()));
        return new ToolkitState(out, dirs);
    }

    /** SHA-256 of a text, hex. */
    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
