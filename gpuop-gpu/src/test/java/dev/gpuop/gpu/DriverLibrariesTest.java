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
            .isInstanceOfSatisfying(DriverLibraryNotFoundException.class, e -> assertThat(e.searched())
                .containsExactly(empty.resolve("libcuda.so.1") + " (override)"));
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
