package dev.gpuop.cli.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.lang.constant.ClassDesc;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A build step (gpuop-cli's pom runs it on {@code target/lib} after the dependencies are copied there): rewrites the
 * classes of a dependency compiled for Java 5 or older as Java 8 class files, with the stack maps the JVM's type
 * checker needs, computed by the JDK's class-file API. The code is the same, instruction for instruction.
 *
 * <p>Why: the JVM keeps no such "old" class in an ahead-of-time cache ({@code Skipping picocli/...: Old class has been
 * linked}), so each short command loaded picocli's 170 classes from its jar and verified them again, about a third of
 * its start (docs/benchmarks.md). picocli 4.7.7, the newest, is compiled for Java 5. A jar without old classes is
 * left untouched (same bytes, same time), so a second build changes nothing and the cache stays valid.
 */
public final class OldClassFiles {

    /** The oldest class-file version the JVM stores in an AOT cache (Java 6, the first with stack maps). */
    static final int FIRST_CACHEABLE = ClassFile.JAVA_6_VERSION;
    private static final int TARGET = ClassFile.JAVA_8_VERSION;

    private OldClassFiles() {
    }

    /** Upgrades every jar in each directory named; prints what it changed. */
    public static void main(String... dirs) throws IOException {
        for (String dir : dirs) {
            try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of(dir), "*.jar")) {
                for (Path jar : jars) {
                    int n = upgrade(jar);
                    if (n > 0) {
                        System.out.println("old class files: " + n + " classes of " + jar.getFileName()
                            + " rewritten as Java 8 class files");
                    }
                }
            }
        }
    }

    /**
     * Rewrites the jar in place (through a temporary file beside it, moved over it) when it holds classes older than
     * {@link #FIRST_CACHEABLE}; returns how many it rewrote, 0 when it left the jar alone.
     */
    public static int upgrade(Path jar) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ClassFile cf = ClassFile.of(ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
                ClassFile.ClassHierarchyResolverOption.of(ClassHierarchyResolver.defaultResolver()
                    .orElse(ClassHierarchyResolver.ofResourceParsing(desc -> open(zip, desc))).cached()));
            List<? extends ZipEntry> entries = Collections.list(zip.entries());
            List<byte[]> contents = new ArrayList<>(entries.size());
            int upgraded = 0;
            for (ZipEntry e : entries) {
                byte[] bytes;
                try (InputStream in = zip.getInputStream(e)) {
                    bytes = in.readAllBytes();
                }
                if (isClass(e) && cf.parse(bytes).majorVersion() < FIRST_CACHEABLE) {
                    bytes = rewrite(cf, cf.parse(bytes));
                    upgraded++;
                }
                contents.add(bytes);
            }
            if (upgraded == 0) {
                return 0;
            }
            Path tmp = Files.createTempFile(jar.getParent(), jar.getFileName().toString(), ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp); ZipOutputStream z = new ZipOutputStream(out)) {
                for (int i = 0; i < entries.size(); i++) {
                    ZipEntry copy = new ZipEntry(entries.get(i).getName());
                    copy.setTime(entries.get(i).getTime());
                    z.putNextEntry(copy);
                    z.write(contents.get(i));
                    z.closeEntry();
                }
            }
            Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return upgraded;
        }
    }

    private static boolean isClass(ZipEntry e) {
        // a multi-release jar's versioned classes are new already; module-info has no code to verify
        return e.getName().endsWith(".class") && !e.getName().startsWith("META-INF/")
            && !e.getName().endsWith("module-info.class");
    }

    /** Every method body rebuilt, so that its stack maps are computed; the version raised last. */
    private static byte[] rewrite(ClassFile cf, ClassModel model) {
        return cf.transformClass(model, ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)
            .andThen((builder, element) -> {
                if (element instanceof ClassFileVersion) {
                    builder.withVersion(TARGET, 0);
                } else {
                    builder.with(element);
                }
            }));
    }

    private static InputStream open(ZipFile zip, ClassDesc desc) {
        String internal = desc.descriptorString();
        ZipEntry e = zip.getEntry(internal.substring(1, internal.length() - 1) + ".class");
        try {
            return e == null ? null : zip.getInputStream(e);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
