package dev.gpuop.node.toolkit;

import java.nio.file.Path;

/**
 * The child process of {@link SafeFileWriterCrashIT}: replaces the target with content A, then B, then A, ...
 * until it is killed. Prints "writing" once the loop runs, then "wrote <µs>" with the time the first write took.
 */
public final class CrashingWriter {

    private CrashingWriter() {
    }

    /** args: target file, content A file, content B file. */
    public static void main(String[] args) throws Exception {
        Path target = Path.of(args[0]);
        byte[] a = java.nio.file.Files.readAllBytes(Path.of(args[1]));
        byte[] b = java.nio.file.Files.readAllBytes(Path.of(args[2]));
        System.out.println("writing");
        System.out.flush();
        for (long i = 0; ; i++) {
            long start = System.nanoTime();
            SafeFileWriter.write(target, i % 2 == 0 ? b : a);
            if (i == 0) {
                System.out.println("wrote " + (System.nanoTime() - start) / 1000);
                System.out.flush();
            }
        }
    }
}
