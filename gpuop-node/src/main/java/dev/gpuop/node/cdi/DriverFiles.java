package dev.gpuop.node.cdi;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The user-space files of one driver version under a driver root: its libraries (every {@code *.so.<version>}
 * in the dirs where the loader cache or the usual lib dirs put {@code libcuda}/{@code libnvidia-ml}, with the names
 * that point at each), its binaries, GSP firmware and IPC sockets. Paths returned are driver-root-relative
 * (absolute as seen from inside that root).
 *
 * @param libraries versioned library path to the names (sonames, dev links) that resolve to it in its dir
 * @param binaries binaries found
 * @param firmware GSP firmware files
 * @param ipc sockets and socket dirs of running NVIDIA daemons
 */
public record DriverFiles(Map<String, Set<String>> libraries, List<String> binaries, List<String> firmware,
                         List<String> ipc) {

    /** Lib dirs searched besides those the loader cache names, in NVIDIA's order plus the CUDA image mount. */
    public static final List<String> LIB_DIRS = dev.gpuop.gpu.DriverRoot.LIB_DIRS;
    /** The driver's binaries a GPU container may need. */
    public static final List<String> BINARY_NAMES = List.of("nvidia-smi", "nvidia-debugdump", "nvidia-persistenced",
        "nvidia-cuda-mps-control", "nvidia-cuda-mps-server");
    static final List<String> BIN_DIRS = List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/nvidia/bin",
        "/usr/local/bin");
    /** Where GSP firmware is: the distribution dirs, and beside lib64 in the /usr/local/nvidia layout (H200 host). */
    static final List<String> FIRMWARE_DIRS = List.of("/lib/firmware", "/usr/lib/firmware",
        "/usr/local/nvidia/firmware");
    static final List<String> IPC = List.of("/run/nvidia-persistenced/socket", "/run/nvidia-fabricmanager/socket",
        "/tmp/nvidia-mps");

    public DriverFiles {
        libraries = Map.copyOf(libraries);
        binaries = List.copyOf(binaries);
        firmware = List.copyOf(firmware);
        ipc = List.copyOf(ipc);
    }

    /**
     * Finds the files of a driver version.
     *
     * @param driverRoot the root the driver is installed under ({@code /} on the host, {@code /run/nvidia/driver}
     *     for a driver container)
     * @param hostRoot where IPC sockets are looked for ({@code /} on the host)
     * @param version the driver version, the suffix of its libraries
     */
    public static DriverFiles find(Path driverRoot, Path hostRoot, String version) throws IOException {
        Set<String> dirs = new LinkedHashSet<>();
        Map<String, Set<String>> cacheNames = new LinkedHashMap<>();
        for (LdCache.Entry e : LdCache.read(driverRoot.resolve("etc/ld.so.cache"))) {
            if (e.is64BitElf()) {
                Path resolved = resolve(driverRoot, e.path());
                if (resolved != null && resolved.getFileName().toString().endsWith(".so." + version)) {
                    String rel = relative(driverRoot, resolved);
                    dirs.add(parent(rel));
                    cacheNames.computeIfAbsent(rel, k -> new TreeSet<>()).add(e.soname());
                }
            }
        }
        dirs.addAll(LIB_DIRS);
        Map<String, Set<String>> libraries = new LinkedHashMap<>();
        for (String dir : dirs) {
            scanLibDir(driverRoot, dir, version, libraries);
            scanLibDir(driverRoot, dir + "/vdpau", version, libraries);
        }
        cacheNames.forEach((lib, names) -> {
            if (libraries.containsKey(lib)) {
                libraries.get(lib).addAll(names);
            }
        });
        List<String> binaries = new ArrayList<>();
        for (String name : BINARY_NAMES) {
            // the driver's own program before a wrapper script of the same name (the H200 machine has a script at
            // /usr/bin/nvidia-smi: mounted into an image without /bin/sh it fails with "no such file or directory")
            List<String> found = BIN_DIRS.stream().map(d -> d + "/" + name)
                .filter(p -> Files.isExecutable(at(driverRoot, p))).toList();
            found.stream().filter(p -> isElf(at(driverRoot, p))).findFirst()
                .or(() -> found.stream().findFirst()).ifPresent(binaries::add);
        }
        List<String> firmware = new ArrayList<>();
        for (String dir : FIRMWARE_DIRS) {
            Path fw = at(driverRoot, dir + "/nvidia/" + version);
            if (firmware.isEmpty() && Files.isDirectory(fw)) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(fw, "gsp*.bin")) {
                    files.forEach(f -> firmware.add(dir + "/nvidia/" + version + "/" + f.getFileName()));
                }
            }
        }
        firmware.sort(null);
        List<String> ipc = IPC.stream().filter(p -> Files.exists(at(hostRoot, p))).toList();
        return new DriverFiles(libraries, binaries, firmware, ipc);
    }

    private static void scanLibDir(Path root, String dir, String version, Map<String, Set<String>> out)
        throws IOException {
        if (!Files.isDirectory(at(root, dir))) {
            return;
        }
        Path abs = at(root, dir).toRealPath();
        dir = relative(root, abs);
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(abs, "*.so*")) {
            files.forEach(entries::add);
        }
        entries.sort(null);
        for (Path p : entries) {
            String name = p.getFileName().toString();
            if (name.endsWith(".so." + version) && Files.isRegularFile(p) && !Files.isSymbolicLink(p)) {
                out.putIfAbsent(dir + "/" + name, new TreeSet<>());
            }
        }
        for (Path p : entries) {
            if (Files.isSymbolicLink(p)) {
                Path target = resolve(root, relative(root, p));
                String rel = target == null ? null : relative(root, target);
                if (rel != null && out.containsKey(rel) && parent(rel).equals(dir)) {
                    out.get(rel).add(p.getFileName().toString());
                }
            }
        }
    }

    /** Whether a file starts with ELF's magic: a program rather than a script. */
    public static boolean isElf(Path file) {
        try (var in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        } catch (IOException e) {
            return false;
        }
    }

    /** Resolves symlinks inside the driver root (absolute links point into it, not at the caller's /). */
    static Path resolve(Path root, String path) {
        Path current = at(root, path);
        for (int hops = 0; hops < 16; hops++) {
            if (!Files.isSymbolicLink(current)) {
                try {
                    return current.toRealPath();
                } catch (IOException e) {
                    return null;
                }
            }
            try {
                Path link = Files.readSymbolicLink(current);
                current = link.isAbsolute() ? at(root, link.toString()) : current.getParent().resolve(link).normalize();
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }

    static Path at(Path root, String absolute) {
        return root.resolve(absolute.startsWith("/") ? absolute.substring(1) : absolute);
    }

    /** The path of a file as seen inside the root (both canonical, so /lib and /usr/lib agree on usrmerge). */
    static String relative(Path root, Path file) {
        Path base;
        try {
            base = root.toRealPath();
        } catch (IOException e) {
            base = root.toAbsolutePath().normalize();
        }
        return "/" + base.relativize(file.toAbsolutePath().normalize());
    }

    private static String parent(String path) {
        return path.substring(0, path.lastIndexOf('/'));
    }
}
