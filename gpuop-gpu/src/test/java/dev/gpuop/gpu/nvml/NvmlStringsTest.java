package dev.gpuop.gpu.nvml;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class NvmlStringsTest {

    @Test
    void readsUpToTheFirstNulAsGetStringDoes() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(96);
            buf.fill((byte) 'x');
            String uuid = "GPU-6b65a6a4-8b81-48f6-b38a-088ca65ed389";
            buf.setString(0, uuid);
            assertThat(NvmlStrings.ascii(buf, 96)).isEqualTo(uuid).isEqualTo(buf.getString(0));
        }
    }

    @Test
    void aBufferWithoutNulEndsAtItsSize() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(8);
            buf.fill((byte) 'A');
            assertThat(NvmlStrings.ascii(buf, 8)).isEqualTo("AAAAAAAA");
            buf.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 0);
            assertThat(NvmlStrings.ascii(buf, 8)).isEmpty();
        }
    }
}
