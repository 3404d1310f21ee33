package dev.gpuop.node.toolkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Replaces a file so that a reader (or a crash) sees either the old content or the new one, never a mix: the new
 * content goes to a temp file in the same directory, is fsynced, renamed over the target in one step, and the
 * directory is fsynced so the rename itself survives a power cut. A kill at any point leaves at most a stale temp
 * file, which the next write removes.
 */
public final class SafeFileWriter {

    /** Temp files are named {@code .<name>.gpuop-tmp-<n>}: hidden, and not matched by {@code *.toml} imports. */
    static final String TEMP_MARK = ".gpuop-tmp-";
    private static final Set<PosixFilePermission> DEFAULT_MODE = PosixFilePermissions.fromString("rw-r--r--");

    private SafeFileWriter() {
    }

    /** Writes the text atomically, keeping the target's permissions if it exists (0644 otherwise). */
    public static void write(Path target, String text) {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes the bytes atomically, keeping the target's permissions if it exists (0644 otherwise). */
    public static void write(Path target, byte[] bytes) {
        Path dir = target.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            removeStaleTemps(dir, target.getFileName().toString());
            Set<PosixFilePermission> mode = Files.exists(target) ? Files.getPosixFilePermissions(target) : DEFAULT_MODE;
            Path temp = dir.resolve("." + target.getFileName() + TEMP_MARK + ProcessHandle.current().pid());
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.setPosixFilePermissions(temp, mode);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.deleteIfExists(temp);
                throw e;
            }
            syncDirectory(dir);
        } catch (IOException e) {
            throw failure(target, e);
        }
    }

    /** Deletes a file and syncs its directory (a no-op when it is already gone). */
    public static void delete(Path target) {
        try {
            if (Files.deleteIfExists(target)) {
                syncDirectory(target.toAbsolutePath().getParent());
            }
        } catch (IOException e) {
            throw failure(target, e);
        }
    }

    /**
     * Proves the file's directory can take a new file, before anything is written: a read-only directory must fail
     * the whole step while every file is still as it was.
     */
    public static void checkWritable(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            if (existing == null) {
                throw new IOException("no existing parent directory");
            }
            Path probe = Files.createTempFile(existing, ".gpuop-probe", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw failure(target, e);
        }
    }

    private static ToolkitException failure(Path target, IOException e) {
        String why = e instanceof AccessDeniedException ? "permission denied" : e.toString();
        return new ToolkitException(target, "cannot write next to this file (" + why + "); nothing was changed",
            "make " + target.toAbsolutePath().getParent() + " writable for gpuop (run it as root; "
                + "the node agent needs the directory mounted read-write)", e);
    }

    private static void removeStaleTemps(Path dir, String name) throws IOException {
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(dir, "." + name + TEMP_MARK + "*")) {
            for (Path p : stale) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
