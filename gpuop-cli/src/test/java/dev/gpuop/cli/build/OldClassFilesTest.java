package dev.gpuop.cli.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The build step that makes picocli's classes cacheable, on the real picocli jar the CLI ships. */
class OldClassFilesTest {

    @TempDir
    Path dir;

    @Test
    void rewritesPicocliAsVerifiableNewClassFilesThatStillWork() throws Exception {
        Path jar = Files.copy(Path.of(CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI()),
            dir.resolve("picocli.jar"));
        assertThat(oldestMajor(jar)).as("the jar as published").isLessThan(OldClassFiles.FIRST_CACHEABLE);
        List<String> before = names(jar);

        int n = OldClassFiles.upgrade(jar);

        assertThat(n).isGreaterThan(100);
        assertThat(oldestMajor(jar)).isGreaterThanOrEqualTo(OldClassFiles.FIRST_CACHEABLE);
        assertThat(names(jar)).as("same entries, same order").isEqualTo(before);
        // every class loads and links, so the type checker accepted each stack map; then picocli parses a command
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            for (String name : names(jar)) {
                if (name.endsWith(".class") && !name.startsWith("META-INF/")) {
                    Class.forName(name.replace('/', '.').replace(".class", ""), true, loader);
                }
            }
            Class<?> cl = Class.forName("picocli.CommandLine", true, loader);
            assertThat(cl.getClassLoader()).isSameAs(loader);
            // picocli's own annotated help command, read by the rewritten picocli
            Object help = Class.forName("picocli.CommandLine$HelpCommand", true, loader).getConstructor().newInstance();
            Object commandLine = cl.getConstructor(Object.class).newInstance(help);
            Object parsed = cl.getMethod("parseArgs", String[].class).invoke(commandLine, (Object) new String[] {"-h"});
            assertThat(parsed.getClass().getMethod("isUsageHelpRequested").invoke(parsed)).isEqualTo(true);
        }
    }

    @Test
    void leavesAJarWithoutOldClassesAlone() throws Exception {
        Path jar = Files.copy(Path.of(CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI()),
            dir.resolve("picocli.jar"));
        OldClassFiles.upgrade(jar);
        FileTime time = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(jar, time);
        byte[] bytes = Files.readAllBytes(jar);

        assertThat(OldClassFiles.upgrade(jar)).isZero();

        assertThat(Files.readAllBytes(jar)).isEqualTo(bytes);
        assertThat(Files.getLastModifiedTime(jar)).isEqualTo(time);
    }

    private static int oldestMajor(Path jar) throws Exception {
        int oldest = Integer.MAX_VALUE;
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry e : Collections.list(zip.entries())) {
                if (e.getName().endsWith(".class") && !e.getName().startsWith("META-INF/")) {
                    try (InputStream in = zip.getInputStream(e)) {
                        oldest = Math.min(oldest, ClassFile.of().parse(in.readAllBytes()).majorVersion());
                    }
                }
            }
        }
        return oldest;
    }

    private static List<String> names(Path jar) throws Exception {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            List<String> names = new ArrayList<>();
            Collections.list(zip.entries()).forEach(e -> names.add(e.getName()));
            return names;
        }
    }
}
