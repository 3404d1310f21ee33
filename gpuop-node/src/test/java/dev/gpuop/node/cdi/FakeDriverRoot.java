package dev.gpuop.node.cdi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Driver installs laid out as files under a temp root: a distribution package (libs in the multiarch dir, found
 * through ld.so.cache, usrmerge's /lib link) and the GPU machine's (libs in /usr/local/nvidia/lib64, no cache).
 */
final class FakeDriverRoot {

    static final String VERSION = "580.159.04";

    private FakeDriverRoot() {
    }

    /** Debian/Ubuntu package layout, with an ld.so.cache naming libcuda through the /lib link. */
    static Path distribution(Path root) throws IOException {
        String dir = "usr/lib/x86_64-linux-gnu";
        Files.createDirectories(root.resolve(dir));
        Files.createSymbolicLink(root.resolve("lib"), Path.of("usr/lib"));
        for (String lib : List.of("libcuda", "libnvidia-ml", "libnvidia-ptxjitcompiler")) {
            library(root.resolve(dir), lib);
        }
        Files.writeString(root.resolve(dir + "/libz.so.1"), "not ours");
        Files.createDirectories(root.resolve(dir + "/vdpau"));
        Files.writeString(root.resolve(dir + "/vdpau/libvdpau_nvidia.so." + VERSION), "elf");
        Files.createDirectories(root.resolve("etc"));
        Files.write(root.resolve("etc/ld.so.cache"), LdCacheBytes.newFormat(List.of(
            new LdCache.Entry("libcuda.so.1", "/lib/x86_64-linux-gnu/libcuda.so.1", LdCacheBytes.X86_64_LIBC6),
            new LdCache.Entry("libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1", LdCacheBytes.X86_64_LIBC6))));
        binary(root, "usr/bin/nvidia-smi");
        binary(root, "usr/bin/nvidia-persistenced");
        firmware(root, "lib/firmware/nvidia/" + VERSION);
        devices(root);
        return root;
    }

    /** The GPU machine's layout: /usr/local/nvidia/{lib64,bin}, no cache entries. */
    static Path usrLocalNvidia(Path root) throws IOException {
        Path lib64 = Files.createDirectories(root.resolve("usr/local/nvidia/lib64"));
        for (String lib : List.of("libcuda", "libnvidia-ml")) {
            library(lib64, lib);
        }
        binary(root, "usr/local/nvidia/bin/nvidia-smi");
        // as measured on the lent H200 machine: the firmware sits beside lib64, not in /lib/firmware
        firmware(root, "usr/local/nvidia/firmware/nvidia/" + VERSION);
        devices(root);
        return root;
    }

    private static void library(Path dir, String name) throws IOException {
        String versioned = name + ".so." + VERSION;
        Files.writeString(dir.resolve(versioned), "elf " + name);
        Files.createSymbolicLink(dir.resolve(name + ".so.1"), Path.of(versioned));
        Files.createSymbolicLink(dir.resolve(name + ".so"), Path.of(name + ".so.1"));
    }

    private static void binary(Path root, String path) throws IOException {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.write(p, new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1}); // an ELF program, as the driver ships
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static void firmware(Path root, String dir) throws IOException {
        Files.createDirectories(root.resolve(dir));
        Files.writeString(root.resolve(dir + "/gsp_ga10x.bin"), "fw");
        Files.writeString(root.resolve(dir + "/gsp_tu10x.bin"), "fw");
    }

    private static void devices(Path root) throws IOException {
        Files.createDirectories(root.resolve("dev/nvidia-caps"));
        for (String node : List.of("nvidia0", "nvidiactl", "nvidia-uvm", "nvidia-uvm-tools")) {
            Files.writeString(root.resolve("dev/" + node), "");
        }
    }
}
