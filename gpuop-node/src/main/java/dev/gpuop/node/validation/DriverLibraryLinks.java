package dev.gpuop.node.validation;

import dev.gpuop.gpu.DriverRoot;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A directory of links to the driver's own libraries and nothing else, for a child process's
 * {@code LD_LIBRARY_PATH}. libcuda opens its JIT compiler, and that its own helpers, by bare soname; in the node
 * agent's pod the driver is under the host's root, off the loader's path. Pointing the loader at the host's whole lib
 * dir instead would also hand the child the host's libc, which must never meet the image's dynamic loader.
 */
public final class DriverLibraryLinks {

    private DriverLibraryLinks() {
    }

    /**
     * Makes (or remakes) {@code dir} with one link per driver library found in the root's library dirs; the links made.
     */
    public static List<Path> create(Path dir, Path driverRoot) throws IOException {
        Files.createDirectories(dir);
        try (DirectoryStream<Path> old = Files.newDirectoryStream(dir)) {
            for (Path p : old) {
                Files.deleteIfExists(p);
            }
        }
        List<Path> made = new ArrayList<>();
        for (String libDir : DriverRoot.LIB_DIRS) {
            Path from = DriverRoot.under(driverRoot, libDir);
            if (!Files.isDirectory(from)) {
                continue;
            }
            try (DirectoryStream<Path> libs = Files.newDirectoryStream(from, DriverLibraryLinks::isDriverLibrary)) {
                for (Path lib : libs) {
                    Path link = dir.resolve(lib.getFileName().toString());
                    if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        made.add(Files.createSymbolicLink(link, lib));
                    }
                }
            }
        }
        return made;
    }

    /** The driver's libraries: libcuda and every libnvidia-* (NVML, the PTX JIT, gpucomp). */
    static boolean isDriverLibrary(Path p) {
        String name = p.getFileName().toString();
        return name.contains(".so") && (name.startsWith("libcuda.") || name.startsWith("libnvidia-")
            || name.startsWith("libcudadebugger."));
    }
}
