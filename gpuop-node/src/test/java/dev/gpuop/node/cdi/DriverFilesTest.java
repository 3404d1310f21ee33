package dev.gpuop.node.cdi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriverFilesTest {

    static final String V = FakeDriverRoot.VERSION;

    @TempDir
    Path root;

    @Test
    void findsADistributionPackageThroughTheLoaderCacheAndTheLibDirs() throws Exception {
        DriverFiles files = DriverFiles.find(FakeDriverRoot.distribution(root), root, V);
        String dir = "/usr/lib/x86_64-linux-gnu";
        assertThat(files.libraries()).isEqualTo(Map.of(
            dir + "/libcuda.so." + V, Set.of("libcuda.so", "libcuda.so.1"),
            dir + "/libnvidia-ml.so." + V, Set.of("libnvidia-ml.so", "libnvidia-ml.so.1"),
            dir + "/libnvidia-ptxjitcompiler.so." + V, Set.of("libnvidia-ptxjitcompiler.so",
                "libnvidia-ptxjitcompiler.so.1"),
            dir + "/vdpau/libvdpau_nvidia.so." + V, Set.of()));
        assertThat(files.binaries()).containsExactly("/usr/bin/nvidia-smi", "/usr/bin/nvidia-persistenced");
        assertThat(files.firmware()).containsExactly("/lib/firmware/nvidia/" + V + "/gsp_ga10x.bin",
            "/lib/firmware/nvidia/" + V + "/gsp_tu10x.bin");
    }

    @Test
    void findsTheGpuMachinesUsrLocalNvidiaLayoutWithoutACache() throws Exception {
        DriverFiles files = DriverFiles.find(FakeDriverRoot.usrLocalNvidia(root), root, V);
        assertThat(files.libraries()).containsOnlyKeys("/usr/local/nvidia/lib64/libcuda.so." + V,
            "/usr/local/nvidia/lib64/libnvidia-ml.so." + V);
        assertThat(files.binaries()).containsExactly("/usr/local/nvidia/bin/nvidia-smi");
        assertThat(files.firmware()).containsExactly("/usr/local/nvidia/firmware/nvidia/" + V + "/gsp_ga10x.bin",
            "/usr/local/nvidia/firmware/nvidia/" + V + "/gsp_tu10x.bin");
    }

    @Test
    void anotherDriverVersionFindsNothing() throws Exception {
        DriverFiles files = DriverFiles.find(FakeDriverRoot.distribution(root), root, "535.183.01");
        assertThat(files.libraries()).isEmpty();
        assertThat(files.firmware()).isEmpty();
    }
}
