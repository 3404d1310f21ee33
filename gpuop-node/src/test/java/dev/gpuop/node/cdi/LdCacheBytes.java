package dev.gpuop.node.cdi;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builds ld.so.cache files in glibc's layouts, so the parser is tested on both without a real ldconfig. */
final class LdCacheBytes {

    static final int X86_64_LIBC6 = 0x0303;
    static final int I386_LIBC6 = 0x0003;

    private LdCacheBytes() {
    }

    /** The new layout: header, 24-byte entries, strings; offsets from the header start. */
    static byte[] newFormat(List<LdCache.Entry> entries) {
        int stringsAt = LdCache.NEW_HEADER + entries.size() * LdCache.NEW_ENTRY;
        ByteArrayOutputStream strings = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(stringsAt).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(LdCache.NEW_MAGIC).putInt(entries.size()).putInt(0);
        buf.position(LdCache.NEW_HEADER);
        for (LdCache.Entry e : entries) {
            int key = stringsAt + strings.size();
            strings.writeBytes((e.soname() + "\0").getBytes(StandardCharsets.UTF_8));
            int value = stringsAt + strings.size();
            strings.writeBytes((e.path() + "\0").getBytes(StandardCharsets.UTF_8));
            buf.putInt(e.flags()).putInt(key).putInt(value).putInt(0).putLong(0);
        }
        buf.putInt(LdCache.NEW_MAGIC.length, entries.size());
        buf.putInt(LdCache.NEW_MAGIC.length + 4, strings.size());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(buf.array());
        out.writeBytes(strings.toByteArray());
        return out.toByteArray();
    }

    /** The old layout alone: 16-byte header, 12-byte entries, strings after the entries. */
    static byte[] oldFormat(List<LdCache.Entry> entries) {
        int entriesEnd = LdCache.OLD_HEADER + entries.size() * LdCache.OLD_ENTRY;
        ByteArrayOutputStream strings = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(entriesEnd).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(LdCache.OLD_MAGIC).put((byte) 0).putInt(entries.size());
        for (LdCache.Entry e : entries) {
            int key = strings.size();
            strings.writeBytes((e.soname() + "\0").getBytes(StandardCharsets.UTF_8));
            int value = strings.size();
            strings.writeBytes((e.path() + "\0").getBytes(StandardCharsets.UTF_8));
            buf.putInt(e.flags()).putInt(key).putInt(value);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(buf.array());
        out.writeBytes(strings.toByteArray());
        return out.toByteArray();
    }

    /** Old entries followed by the new layout (8-byte aligned), as glibc before 2.32 wrote with compat on. */
    static byte[] combined(List<LdCache.Entry> oldEntries, List<LdCache.Entry> newEntries) {
        int entriesEnd = LdCache.OLD_HEADER + oldEntries.size() * LdCache.OLD_ENTRY;
        ByteBuffer buf = ByteBuffer.allocate(entriesEnd).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(LdCache.OLD_MAGIC).put((byte) 0).putInt(oldEntries.size());
        for (LdCache.Entry e : oldEntries) {
            buf.putInt(e.flags()).putInt(0).putInt(0);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(buf.array());
        while (out.size() % 8 != 0) {
            out.write(0);
        }
        out.writeBytes(newFormat(newEntries));
        return out.toByteArray();
    }
}
