package dev.gpuop.gpu.nvml;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/** Strings NVML writes into buffers. */
final class NvmlStrings {

    private NvmlStrings() {
    }

    /**
     * A NUL-terminated ASCII string NVML wrote (a UUID, a bus ID), copied out as bytes and decoded as Latin-1. That
     * is a plain array copy, where {@code MemorySegment.getString}'s UTF-8 decoder costs several times more when
     * the JIT stops at C1, as it does in the node agent to keep its memory small (docs/benchmarks.md).
     *
     * @param max the buffer's size; the string ends at the first NUL or there
     */
    static String ascii(MemorySegment text, int max) {
        byte[] bytes = new byte[max];
        MemorySegment.copy(text, ValueLayout.JAVA_BYTE, 0, bytes, 0, max);
        int n = 0;
        while (n < max && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
    }
}
