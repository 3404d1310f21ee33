package dev.gpuop.gpu;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds a driver library the way a GPU container on a node has to: first as the dynamic loader would (its cache,
 * {@code LD_LIBRARY_PATH}, default dirs), then in the places drivers are installed or mounted (a distribution's
 * lib dir, the {@code /usr/local/nvidia} mount of CUDA images, the driver container's {@code /run/nvidia/driver}).
 * An explicit root replaces the search, so that a wrong override fails instead of silently using another driver.
 */
public final class DriverLibraries {

    /** The roots searched after the dynamic loader, in order. */
    public static final List<String> KNOWN_ROOTS = List.of(
        "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/nvidia/lib64", "/usr/local/nvidia/lib",
        "/run/nvidia/driver/usr/lib/x86_64-linux-gnu", "/run/nvidia/driver/usr/lib64", "/usr/lib/wsl/lib");

    /** The environment variable that sets the override when no flag does. */
    public static final String ROOT_ENV = "GPUOP_DRIVER_ROOT";
    /** Where the host's root is mounted in this process (the node agent's pod: {@code /host}); unset on a host. */
    public static final String HOST_ROOT_ENV = "GPUOP_HOST_ROOT";

    private final Optional<Path> overrideRoot;
    private final List<String> knownRoots;
    private final boolean useDynamicLoader;

    private DriverLibraries(Optional<Path> overrideRoot, List<String> knownRoots, boolean useDynamicLoader) {
        this.overrideRoot = overrideRoot;
        this.knownRoots = knownRoots;
        this.useDynamicLoader = useDynamicLoader;
    }

    /**
     * The default search, honouring {@value #ROOT_ENV} when it is set; else, where {@value #HOST_ROOT_ENV} says the
     * host's root is mounted, the driver under it (the driver container's or the host's, {@link DriverRoot}). A
     * pod's own loader would find nothing: its image has no driver.
     */
    public static DriverLibraries standard() {
        return fromEnv(System.getenv(ROOT_ENV), System.getenv(HOST_ROOT_ENV));
    }

    static DriverLibraries fromEnv(String driverRoot, String hostRoot) {
        if (driverRoot != null && !driverRoot.isBlank()) {
            return new DriverLibraries(Optional.of(Path.of(driverRoot)), KNOWN_ROOTS, true);
        }
        if (hostRoot != null && !hostRoot.isBlank() && !Path.of(hostRoot).equals(Path.of("/"))) {
            return underRoot(DriverRoot.find(Path.of(hostRoot)));
        }
        return new DriverLibraries(Optional.empty(), KNOWN_ROOTS, true);
    }

    /** The library dirs of a driver root (a file system root such as {@code /run/nvidia/driver}), nothing else. */
    public static DriverLibraries underRoot(Path root) {
        return inRoots(DriverRoot.LIB_DIRS.stream().map(d -> DriverRoot.under(root, d).toString()).toList());
    }

    /** Only the given root: a directory holding the library, the library file itself, or a driver root. */
    public static DriverLibraries at(Path root) {
        return new DriverLibraries(Optional.of(root), KNOWN_ROOTS, false);
    }

    /** A search over the given roots only, without the dynamic loader: for tests of the search itself. */
    public static DriverLibraries inRoots(List<String> roots) {
        return new DriverLibraries(Optional.empty(), List.copyOf(roots), false);
    }

    /**
     * Loads the library into the given arena.
     *
     * @throws DriverLibraryNotFoundException naming every place searched
     */
    public SymbolLookup load(String soname, Arena arena) {
        List<String> searched = new ArrayList<>();
        if (overrideRoot.isPresent()) {
            Path root = overrideRoot.get();
            Path file = Files.isDirectory(root) ? root.resolve(soname) : root;
            searched.add(file + " (override)");
            Optional<SymbolLookup> direct = tryPath(file, arena);
            if (direct.isPresent() || !Files.isDirectory(root)) {
                return direct.orElseThrow(() -> new DriverLibraryNotFoundException(soname, searched));
            }
            // a driver root (/run/nvidia/driver, a host's / mounted in a pod): its library dirs, nothing outside it
            for (String dir : DriverRoot.LIB_DIRS) {
                Path inRoot = DriverRoot.under(root, dir).resolve(soname);
                searched.add(inRoot + " (override)");
                Optional<SymbolLookup> lookup = tryPath(inRoot, arena);
                if (lookup.isPresent()) {
                    return lookup.get();
                }
            }
            throw new DriverLibraryNotFoundException(soname, searched);
        }
        if (useDynamicLoader) {
            String ldPath = System.getenv("LD_LIBRARY_PATH");
            searched.add("the dynamic loader (ld.so.cache, LD_LIBRARY_PATH="
                + (ldPath == null ? "unset" : ldPath) + ")");
            try {
                return SymbolLookup.libraryLookup(soname, arena);
            } catch (IllegalArgumentException notFound) {
                // fall through to the known roots
            }
        }
        for (String root : knownRoots) {
            Path file = Path.of(root, soname);
            searched.add(file.toString());
            Optional<SymbolLookup> lookup = tryPath(file, arena);
            if (lookup.isPresent()) {
                return lookup.get();
            }
        }
        throw new DriverLibraryNotFoundException(soname, searched);
    }

    /**
     * Loads a library that another driver library opens by its bare soname, where the dynamic loader alone would not
     * find it: NVML opens {@code libcuda.so.1} for the CUDA driver version, and in the node agent's pod the driver is
     * under the host's root, off the loader's path (the call then fails with NVML_ERROR_NOT_FOUND). glibc answers a
     * later {@code dlopen("libcuda.so.1")} with an object already loaded under that soname; closing the arena unloads
     * it again (unless its dependent still holds it). Nothing happens when
     * this search uses the dynamic loader anyway, or when the library is not found (the caller's own error says
     * more).
     */
    public void preloadForDependents(String soname, Arena arena) {
        if (!bypassesDynamicLoader()) {
            return;
        }
        try {
            load(soname, arena);
        } catch (DriverLibraryNotFoundException notThere) {
            // NVML reports what it then cannot do
        }
    }

    /** Whether this search leaves the dynamic loader out (a driver root, an explicit directory). */
    public boolean bypassesDynamicLoader() {
        return !useDynamicLoader || overrideRoot.isPresent();
    }

    private static Optional<SymbolLookup> tryPath(Path file, Arena arena) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(SymbolLookup.libraryLookup(file, arena));
        } catch (IllegalArgumentException unloadable) {
            return Optional.empty();
        }
    }
}
