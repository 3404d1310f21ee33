package dev.gpuop.node.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class LdCacheTest {

    static final List<LdCache.Entry> ENTRIES = List.of(
        new LdCache.Entry("libcuda.so.1", "/usr/lib/x86_64-linux-gnu/libcuda.so.1", LdCacheBytes.X86_64_LIBC6),
        new LdCache.Entry("libcuda.so.1", "/usr/lib/i386-linux-gnu/libcuda.so.1", LdCacheBytes.I386_LIBC6),
        new LdCache.Entry("libnvidia-ml.so.1", "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1",
            LdCacheBytes.X86_64_LIBC6));

    @Test
    void readsTheNewLayout() {
        assertThat(LdCache.parse(LdCacheBytes.newFormat(ENTRIES))).containsExactlyElementsOf(ENTRIES);
    }

    @Test
    void readsTheOldLayoutAlone() {
        assertThat(LdCache.parse(LdCacheBytes.oldFormat(ENTRIES))).containsExactlyElementsOf(ENTRIES);
    }

    @Test
    void prefersTheNewLayoutAfterOldEntriesAsTheLoaderDoes() {
        List<LdCache.Entry> old = List.of(new LdCache.Entry("", "", LdCacheBytes.X86_64_LIBC6));
        assertThat(LdCache.parse(LdCacheBytes.combined(old, ENTRIES))).containsExactlyElementsOf(ENTRIES);
    }

    @Test
    void tellsSixtyFourBitElfFromThirtyTwoBit() {
        assertThat(LdCache.parse(LdCacheBytes.newFormat(ENTRIES)).stream().filter(LdCache.Entry::is64BitElf)
            .map(LdCache.Entry::path)).containsExactly("/usr/lib/x86_64-linux-gnu/libcuda.so.1",
                "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1");
    }

    @Test
    void refusesAFileThatIsNoCache() {
        assertThatThrownBy(() -> LdCache.parse("not a cache at all, just text".getBytes()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an ld.so.cache");
    }

    @Test
    void refusesAStringOffsetOutsideTheFile() {
        byte[] bytes = LdCacheBytes.newFormat(ENTRIES);
        byte[] cut = java.util.Arrays.copyOf(bytes, LdCache.NEW_HEADER + ENTRIES.size() * LdCache.NEW_ENTRY + 4);
        assertThatThrownBy(() -> LdCache.parse(cut)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("outside the file");
    }
}
