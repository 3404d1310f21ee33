package dev.gpuop.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gpuop.gpu.cuda.CudaVectorAdd;
import dev.gpuop.gpu.nvml.NvmlGpuHost;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriverLibrariesTest {

    @TempDir
    Path empty;

    @Test
    void aMissingLibraryNamesEveryPlaceSearched() {
        DriverLibraries search = DriverLibraries.inRoots(List.of(empty.toString(), "/nonexistent/lib64"));
        assertThatThrownBy(() -> search.load("libnvidia-ml.so.1", Arena.global()))
            .isInstanceOfSatisfying(DriverLibraryNotFoundException.class, e -> assertThat(e.searched())
                .containsExactly(empty.resolve("libnvidia-ml.so.1").toString(), "/nonexistent/lib64/libnvidia-ml.so.1"))
            .hasMessageContaining("apt install nvidia-driver")
            .hasMessageContaining("--driver-root");
    }

    @Test
    void anOverrideIsTheOnlyPlaceLooked() {
        DriverLibraries search = DriverLibraries.at(empty);
        assertThatThrownBy(() -> search.load("libcuda.so.1", Arena.global()))
            .isInstanceOfSatisfying(DriverLibraryNotFoundException.class, e -> {
                assertThat(e.searched()).first().isEqualTo(empty.resolve("libcuda.so.1") + " (override)");
                assertThat(e.searched()).contains(empty.resolve("usr/lib/x86_64-linux-gnu/libcuda.so.1")
                    + " (override)");
                assertThat(e.searched()).allMatch(p -> p.startsWith(empty.toString()));
            });
    }

    @Test
    void anOverrideThatIsADriverRootIsSearchedInItsLibraryDirs() throws Exception {
        Path root = fakeDriver(empty.resolve("driver-root"), "usr/local/nvidia/lib64");
        assertThat(DriverLibraries.at(root).load("libnvidia-ml.so.1", Arena.global()).find("getpid")).isPresent();
    }

    @Test
    void inAPodTheHostsDriverIsFoundUnderTheHostRootAndTheDriverContainersFirst() throws Exception {
        Path host = fakeDriver(empty.resolve("host"), "usr/lib/x86_64-linux-gnu");
        assertThat(DriverRoot.find(host)).isEqualTo(host);
        assertThat(DriverLibraries.fromEnv(null, host.toString()).load("libnvidia-ml.so.1", Arena.global())
            .find("getpid")).isPresent();
        // the driver container's root is mounted (its dir alone is not enough: it must hold the driver)
        Files.createDirectories(host.resolve("run/nvidia/driver/usr"));
        assertThat(DriverRoot.find(host)).isEqualTo(host);
        fakeDriver(host.resolve("run/nvidia/driver"), "usr/lib64");
        assertThat(DriverRoot.find(host)).isEqualTo(host.resolve("run/nvidia/driver"));
        // the pod's own root is never searched: with no driver under the host root the error names only it
        Path bare = Files.createDirectories(empty.resolve("bare"));
        assertThatThrownBy(() -> DriverLibraries.fromEnv(null, bare.toString()).load("libnvidia-ml.so.1",
            Arena.global())).isInstanceOfSatisfying(DriverLibraryNotFoundException.class,
                e -> assertThat(e.searched()).isNotEmpty().allMatch(p -> p.startsWith(bare.toString())));
    }

    @Test
    void aLibraryOthersOpenBySonameIsPreloadedOnlyWhereTheLoaderCannotFindIt() throws Exception {
        Path root = fakeDriver(empty.resolve("preload"), "usr/lib64");
        assertThat(DriverLibraries.underRoot(root).bypassesDynamicLoader()).isTrue();
        assertThat(DriverLibraries.at(root).bypassesDynamicLoader()).isTrue();
        assertThat(DriverLibraries.fromEnv(null, null).bypassesDynamicLoader()).isFalse();
        // found: loaded without an error; missing: no error either (NVML names what it then cannot do)
        try (Arena arena = Arena.ofConfined()) {
            DriverLibraries.underRoot(root).preloadForDependents("libnvidia-ml.so.1", arena);
            DriverLibraries.underRoot(root).preloadForDependents("libcuda.so.1", arena);
        }
    }

    /** A driver root with NVML (a link to libc, which loads) in one library dir. */
    private static Path fakeDriver(Path root, String libDir) throws Exception {
        Path dir = Files.createDirectories(root.resolve(libDir));
        Files.createSymbolicLink(dir.resolve("libnvidia-ml.so.1"), libc());
        return root;
    }

    private static Path libc() {
        return List.of("/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/lib64/libc.so.6")
            .stream().map(Path::of).filter(Files::exists).findFirst().orElseThrow();
    }

    @Test
    void aLibraryInAKnownRootIsLoaded() throws Exception {
        Path libc = List.of("/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6",
            "/lib64/libc.so.6").stream().map(Path::of).filter(Files::exists).findFirst().orElseThrow();
        Path root = Files.createDirectories(empty.resolve("driver"));
        Files.createSymbolicLink(root.resolve("libfake.so.1"), libc);
        SymbolLookup lookup = DriverLibraries.inRoots(List.of("/nonexistent", root.toString()))
            .load("libfake.so.1", Arena.global());
        assertThat(lookup.find("getpid")).isPresent();
        assertThat(DriverLibraries.at(root.resolve("libfake.so.1")).load("libfake.so.1", Arena.global())
            .find("strlen")).isPresent();
    }

    @Test
    void nvmlAndCudaWithoutADriverFailWithTheSearch() {
        DriverLibraries none = DriverLibraries.inRoots(List.of(empty.toString()));
        assertThatThrownBy(() -> NvmlGpuHost.open(none)).isInstanceOf(DriverLibraryNotFoundException.class)
            .hasMessageStartingWith("libnvidia-ml.so.1 was not found");
        assertThatThrownBy(() -> CudaVectorAdd.load(none)).isInstanceOf(DriverLibraryNotFoundException.class)
            .hasMessageStartingWith("libcuda.so.1 was not found");
    }
}
