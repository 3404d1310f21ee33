package dev.gpuop.node.cdi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * glibc's {@code /etc/ld.so.cache}, read as the dynamic loader reads it, to find where the driver's libraries are
 * without running {@code ldconfig}. Two layouts exist and may follow each other in one file: the old one
 * ({@code ld.so-1.7.0}, 12-byte entries, strings after the entries) and the new one ({@code glibc-ld.so.cache1.1},
 * 48-byte header, 24-byte entries, string offsets from the new header); glibc 2.32+ writes only the new one.
 */
public final class LdCache {

    static final byte[] OLD_MAGIC = "ld.so-1.7.0".getBytes(StandardCharsets.US_ASCII);
    static final byte[] NEW_MAGIC = "glibc-ld.so.cache1.1".getBytes(StandardCharsets.US_ASCII);
    static final int OLD_HEADER = 16;
    static final int OLD_ENTRY = 12;
    static final int NEW_HEADER = 48;
    static final int NEW_ENTRY = 24;
    private static final int FLAG_ELF = 0x0001;
    private static final int ARCH_MASK = 0xff00;
    /** The 64-bit library flags: x86-64, ppc64, AArch64. */
    private static final List<Integer> ARCH_64 = List.of(0x0300, 0x0500, 0x0a00);

    private LdCache() {
    }

    /**
     * One library in the cache.
     *
     * @param soname the name programs ask for, e.g. {@code libcuda.so.1}
     * @param path where the loader finds it (usually a symlink to the versioned file)
     * @param flags glibc's type and architecture flags
     */
    public record Entry(String soname, String path, int flags) {

        /** True for a 64-bit ELF library, the kind a 64-bit container loads. */
        public boolean is64BitElf() {
            return (flags & FLAG_ELF) != 0 && ARCH_64.contains(flags & ARCH_MASK);
        }
    }

    /** Reads the cache file; an absent file is an empty cache. */
    public static List<Entry> read(Path file) throws IOException {
        try {
            return parse(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    /** Parses the bytes of a cache file (new layout preferred, as the loader does). */
    public static List<Entry> parse(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int newStart = 0;
        if (startsWith(bytes, 0, OLD_MAGIC)) {
            int count = buf.getInt(OLD_MAGIC.length + 1);
            int afterOld = OLD_HEADER + count * OLD_ENTRY;
            int aligned = (afterOld + 7) & ~7;
            if (!startsWith(bytes, aligned, NEW_MAGIC)) {
                return parseOld(buf, count, afterOld);
            }
            newStart = aligned;
        }
        if (!startsWith(bytes, newStart, NEW_MAGIC)) {
            throw new IllegalArgumentException("not an ld.so.cache (no " + new String(NEW_MAGIC,
                StandardCharsets.US_ASCII) + " or " + new String(OLD_MAGIC, StandardCharsets.US_ASCII) + " header)");
        }
        int count = buf.getInt(newStart + NEW_MAGIC.length);
        List<Entry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = newStart + NEW_HEADER + i * NEW_ENTRY;
            int flags = buf.getInt(at);
            String key = string(bytes, newStart + buf.getInt(at + 4));
            String value = string(bytes, newStart + buf.getInt(at + 8));
            entries.add(new Entry(key, value, flags));
        }
        return entries;
    }

    private static List<Entry> parseOld(ByteBuffer buf, int count, int strings) {
        byte[] bytes = buf.array();
        List<Entry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = OLD_HEADER + i * OLD_ENTRY;
            entries.add(new Entry(string(bytes, strings + buf.getInt(at + 4)),
                string(bytes, strings + buf.getInt(at + 8)), buf.getInt(at)));
        }
        return entries;
    }

    private static String string(byte[] bytes, int offset) {
        if (offset < 0 || offset >= bytes.length) {
            throw new IllegalArgumentException("ld.so.cache string offset " + offset + " outside the file");
        }
        int end = offset;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static boolean startsWith(byte[] bytes, int offset, byte[] magic) {
        return offset >= 0 && bytes.length >= offset + magic.length
            && Arrays.equals(bytes, offset, offset + magic.length, magic, 0, magic.length);
    }
}
