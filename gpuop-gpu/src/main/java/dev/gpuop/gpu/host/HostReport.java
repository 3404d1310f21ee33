package dev.gpuop.gpu.host;

import java.util.List;

/**
 * What a host shows about its NVIDIA GPUs without asking the driver.
 *
 * @param pciGpus NVIDIA display/3D functions on the PCI bus
 * @param procDriverVersion the first line of {@code /proc/driver/nvidia/version}, or null when no driver is loaded
 * @param nvidiaModuleLoaded the {@code nvidia} kernel module is loaded
 * @param nouveauModuleLoaded the open-source {@code nouveau} module is loaded (it blocks NVIDIA's)
 * @param secureBoot UEFI Secure Boot state
 */
public record HostReport(List<PciGpu> pciGpus, String procDriverVersion, boolean nvidiaModuleLoaded,
                         boolean nouveauModuleLoaded, SecureBoot secureBoot) {

    public HostReport {
        pciGpus = List.copyOf(pciGpus);
    }

    /** The one-line answer a person wants first, e.g. "GPU present, driver missing". */
    public String verdict() {
        if (pciGpus.isEmpty()) {
            return "no NVIDIA GPU on the PCI bus";
        }
        if (nvidiaModuleLoaded || procDriverVersion != null) {
            return "GPU present, driver loaded";
        }
        return "GPU present, driver missing";
    }

    /** What to do about the verdict, or null when nothing needs doing. */
    public String advice() {
        if (pciGpus.isEmpty() || nvidiaModuleLoaded) {
            return null;
        }
        StringBuilder s = new StringBuilder("Install the NVIDIA driver on the host (for example"
            + " `apt install nvidia-driver-580`) and reboot, or enable the driver container (driver.enabled=true).");
        if (nouveauModuleLoaded) {
            s.append(" The nouveau module is loaded: blacklist it, or the NVIDIA module cannot bind the GPU.");
        }
        if (secureBoot == SecureBoot.ENABLED) {
            s.append(" Secure Boot is on: the NVIDIA module must be signed (DKMS with an enrolled MOK key).");
        }
        return s.toString();
    }
}
