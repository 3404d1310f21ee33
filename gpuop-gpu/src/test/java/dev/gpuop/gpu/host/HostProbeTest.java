package dev.gpuop.gpu.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A host root laid out as sysfs and procfs are, with the files a real kernel writes. */
class HostProbeTest {

    @TempDir
    Path root;

    private void pciDevice(String address, String vendor, String cls, String device, String driver) throws IOException {
        Path dev = Files.createDirectories(root.resolve("sys/bus/pci/devices").resolve(address));
        Files.writeString(dev.resolve("vendor"), vendor + "\n");
        Files.writeString(dev.resolve("class"), cls + "\n");
        Files.writeString(dev.resolve("device"), device + "\n");
        Files.writeString(dev.resolve("numa_node"), "-1\n");
        if (driver != null) {
            Path target = Files.createDirectories(root.resolve("sys/bus/pci/drivers").resolve(driver));
            Files.createSymbolicLink(dev.resolve("driver"), target);
        }
    }

    @Test
    void gpuWithoutDriverIsReportedAsSuchWithTheFix() throws IOException {
        pciDevice("0000:01:00.0", "0x10de", "0x030200", "0x2335", null);
        pciDevice("0000:01:00.1", "0x10de", "0x040300", "0x22e8", "snd_hda_intel"); // the GPU's audio function
        pciDevice("0000:00:02.0", "0x8086", "0x030000", "0x3e9b", "i915");
        Files.createDirectories(root.resolve("proc"));
        Files.writeString(root.resolve("proc/modules"), "nouveau 2187264 0 - Live 0x0\ndrm 622592 3 - Live 0x0\n");
        Path efivars = Files.createDirectories(root.resolve("sys/firmware/efi/efivars"));
        Files.write(efivars.resolve("SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"), new byte[] {6, 0, 0, 0, 1});

        HostReport r = new HostProbe(root).probe();

        assertThat(r.pciGpus()).containsExactly(new PciGpu("0000:01:00.0", "0x2335", "0x030200", null, -1));
        assertThat(r.pciGpus().getFirst().mode()).isEqualTo("compute");
        assertThat(r.nvidiaModuleLoaded()).isFalse();
        assertThat(r.nouveauModuleLoaded()).isTrue();
        assertThat(r.secureBoot()).isEqualTo(SecureBoot.ENABLED);
        assertThat(r.procDriverVersion()).isNull();
        assertThat(r.verdict()).isEqualTo("GPU present, driver missing");
        assertThat(r.advice()).contains("Install the NVIDIA driver", "nouveau", "Secure Boot is on");
    }

    @Test
    void loadedDriverIsSeenInProcAndSysfs() throws IOException {
        pciDevice("0000:18:00.0", "0x10de", "0x030000", "0x1d10", "nvidia");
        Files.createDirectories(root.resolve("proc/driver/nvidia"));
        Files.writeString(root.resolve("proc/driver/nvidia/version"),
            "NVRM version: NVIDIA UNIX x86_64 Kernel Module  525.78.01  Mon Dec 26 05:58:42 UTC 2022\n"
                + "GCC version:  gcc version 12.2.0\n");
        Files.createDirectories(root.resolve("sys/module/nvidia"));
        Files.createDirectories(root.resolve("sys/firmware/efi"));

        HostReport r = new HostProbe(root).probe();

        assertThat(r.pciGpus()).singleElement().satisfies(g -> {
            assertThat(g.boundDriver()).isEqualTo("nvidia");
            assertThat(g.mode()).isEqualTo("graphics");
        });
        assertThat(r.nvidiaModuleLoaded()).isTrue();
        assertThat(r.procDriverVersion()).contains("525.78.01");
        assertThat(r.secureBoot()).isEqualTo(SecureBoot.DISABLED);
        assertThat(r.verdict()).isEqualTo("GPU present, driver loaded");
        assertThat(r.advice()).isNull();
    }

    @Test
    void anEmptyRootHasNoGpuAndUnknownSecureBoot() {
        HostReport r = new HostProbe(root).probe();
        assertThat(r.pciGpus()).isEmpty();
        assertThat(r.secureBoot()).isEqualTo(SecureBoot.UNKNOWN);
        assertThat(r.verdict()).isEqualTo("no NVIDIA GPU on the PCI bus");
    }

    @Test
    void thisHostCanBeProbed() {
        HostReport r = HostProbe.ofThisHost().probe();
        assertThat(r.verdict()).isIn("no NVIDIA GPU on the PCI bus", "GPU present, driver missing",
            "GPU present, driver loaded");
    }
}
