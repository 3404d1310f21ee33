package dev.gpuop.node.labels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.gpu.ComputeCapability;
import dev.gpuop.gpu.GpuArchitecture;
import dev.gpuop.gpu.GpuInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host's files as sysfs lays them out, in a temporary root. */
class HostFactsTest {

    private static GpuInfo gpu(String busId) {
        return new GpuInfo(0, 0, "GPU-1", "NVIDIA H200", busId, 0x233510de, 143771L << 20,
            new ComputeCapability(9, 0), GpuArchitecture.HOPPER, null, List.of(), List.of());
    }

    /** A 256-byte config space with a capability list: a power-management capability, then NVIDIA's vendor one. */
    private static byte[] config(boolean vgpu) {
        byte[] c = new byte[256];
        c[0x06] = 0x10;
        c[0x34] = 0x60;
        c[0x60] = 0x01;
        c[0x61] = 0x68;
        c[0x68] = 0x09;
        c[0x69] = 0x00;
        c[0x6b] = (byte) (vgpu ? 'V' : 'X');
        c[0x6c] = (byte) 'F';
        return c;
    }

    private static Path device(Path root, String name, String cls, byte[] config) throws Exception {
        Path d = Files.createDirectories(root.resolve("sys/bus/pci/devices").resolve(name));
        Files.writeString(d.resolve("vendor"), "0x10de\n");
        Files.writeString(d.resolve("class"), cls + "\n");
        Files.write(d.resolve("config"), config);
        return d;
    }

    @Test
    void aDgxLikeHostInComputeModeWithoutVgpu(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("sys/class/dmi/id"));
        Files.writeString(root.resolve(HostFacts.DMI_PRODUCT), "DGX H200 \n");
        device(root, "0000:18:00.0", "0x030200", config(false));
        HostFacts f = HostFacts.read(root, List.of(gpu("00000000:18:00.0")), null);
        assertThat(f).isEqualTo(new HostFacts("DGX H200", "compute", false));
    }

    @Test
    void aVgpuGraphicsModeAndAMissingDmiAreReadAsGfdReadsThem(@TempDir Path root) throws Exception {
        device(root, "0000:00:06.0", "0x030000", config(true));
        HostFacts f = HostFacts.read(root, List.of(gpu("00000000:00:06.0")), null);
        assertThat(f).isEqualTo(new HostFacts(null, "graphics", true));
        // two GPUs in different modes, or one whose class cannot be read: unknown
        device(root, "0000:00:07.0", "0x030200", config(false));
        assertThat(HostFacts.read(root, List.of(gpu("00000000:00:06.0"), gpu("00000000:00:07.0")), null).gpuMode())
            .isEqualTo("unknown");
        assertThat(HostFacts.read(root, List.of(gpu("00000000:99:00.0")), null).gpuMode()).isEqualTo("unknown");
    }

    @Test
    void aConfigSpaceCutShortGivesNoVgpuAnswerAtAll(@TempDir Path root) throws Exception {
        device(root, "0000:00:06.0", "0x030200", new byte[64]); // what an unprivileged reader gets
        assertThat(HostFacts.read(root, List.of(gpu("00000000:00:06.0")), null).vgpuPresent()).isNull();
    }

    @Test
    void aMachineTypeFileOverridesDmi(@TempDir Path root) throws Exception {
        Path file = Files.writeString(root.resolve("machine"), "PowerEdge XE9680");
        assertThat(HostFacts.read(root, List.of(), file).machine()).isEqualTo("PowerEdge XE9680");
        assertThat(HostFacts.sysfsName("00000000:AB:00.0")).isEqualTo("0000:ab:00.0");
    }
}
