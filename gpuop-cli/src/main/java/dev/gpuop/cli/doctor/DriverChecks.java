package dev.gpuop.cli.doctor;

import dev.gpuop.gpu.DriverLibraries;
import dev.gpuop.gpu.DriverLibraryNotFoundException;
import dev.gpuop.gpu.DriverRoot;
import dev.gpuop.gpu.GpuException;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.GpuHosts;
import dev.gpuop.gpu.cuda.CudaException;
import dev.gpuop.gpu.cuda.CudaVectorAdd;
import dev.gpuop.gpu.cuda.VectorAddResult;
import dev.gpuop.gpu.host.HostProbe;
import dev.gpuop.gpu.host.HostReport;
import dev.gpuop.gpu.host.PciGpu;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The seed's driver steps on a host: the GPU on the PCI bus, nouveau out of the way, the kernel module and
 * {@code /proc/driver/nvidia/version}, NVML, the driver's libraries, and the CUDA vector add on every GPU. The GPUs
 * it opened stay open for the runtime checks (the CDI spec is compared with them) until {@link #close()}.
 */
final class DriverChecks implements AutoCloseable {

    private static final String AREA = "host";
    private static final List<String> LIBRARIES = List.of("libnvidia-ml.so.1", "libcuda.so.1",
        "libnvidia-ptxjitcompiler.so.1");

    private final Path hostRoot;
    private final String simulate;
    private GpuHost host;

    /**
     * @param hostRoot the host's root ({@code /}, or a mounted image or test tree)
     * @param simulate a simulated GPU fixture instead of the driver, or null
     */
    DriverChecks(Path hostRoot, String simulate) {
        this.hostRoot = hostRoot;
        this.simulate = simulate;
    }

    /** The GPUs opened by the NVML step, or null when it failed. */
    GpuHost host() {
        return host;
    }

    void run(Consumer<Finding> out) {
        HostReport probe = new HostProbe(hostRoot).probe();
        Finding pci = pci(probe);
        out.accept(pci);
        if (pci.result() == Finding.Result.FAIL) {
            for (String step : List.of("nouveau", "kernel-module", "nvml", "driver-libraries", "cuda")) {
                out.accept(Finding.skip(AREA, step, "no NVIDIA GPU on this host"));
            }
            return;
        }
        out.accept(probe.nouveauModuleLoaded()
            ? Finding.fail(AREA, "nouveau", "the nouveau module is loaded (/proc/modules): it holds the GPU",
                "blacklist it (echo 'blacklist nouveau' > /etc/modprobe.d/blacklist-nouveau.conf), "
                    + "update-initramfs -u, reboot")
            : Finding.pass(AREA, "nouveau", "not loaded"));
        out.accept(module(probe));
        out.accept(nvml());
        out.accept(libraries());
        out.accept(cuda());
    }

    private Finding pci(HostReport probe) {
        if (simulate != null) {
            return Finding.skip(AREA, "pci", "simulated GPUs (" + simulate + ")");
        }
        List<PciGpu> gpus = probe.pciGpus();
        if (gpus.isEmpty()) {
            return Finding.fail(AREA, "pci", "no NVIDIA (vendor 0x10de) display or 3D function under "
                + hostRoot.resolve("sys/bus/pci/devices"), "this host has no NVIDIA GPU: run gpuop doctor on a GPU "
                + "node, or label only GPU nodes for the operator");
        }
        return Finding.pass(AREA, "pci", gpus.size() + " NVIDIA GPU(s): " + gpus.stream()
            .map(g -> g.address() + " (" + g.deviceId() + ", driver " + (g.boundDriver() == null ? "none"
                : g.boundDriver()) + ")").limit(4).toList());
    }

    private Finding module(HostReport probe) {
        if (simulate != null) {
            return Finding.skip(AREA, "kernel-module", "simulated GPUs");
        }
        if (probe.procDriverVersion() == null && !probe.nvidiaModuleLoaded()) {
            return Finding.fail(AREA, "kernel-module", "the nvidia module is not loaded ("
                + hostRoot.resolve("proc/driver/nvidia/version") + " absent)", probe.advice() == null
                ? "install the NVIDIA driver (apt install nvidia-driver-580) and reboot, or set driver.enabled=true"
                : probe.advice());
        }
        return Finding.pass(AREA, "kernel-module", probe.procDriverVersion() == null ? "nvidia module loaded"
            : probe.procDriverVersion().strip());
    }

    private Finding nvml() {
        try {
            host = GpuHosts.open(simulate, libraries(hostRoot));
            return Finding.pass(AREA, "nvml", "driver " + host.driverVersion() + " (CUDA "
                + host.cudaDriverVersion() + "), " + host.gpus().size() + " GPU(s): " + host.gpus().stream()
                .map(g -> g.info().name()).distinct().toList());
        } catch (DriverLibraryNotFoundException e) {
            return Finding.fail(AREA, "nvml", e.getMessage(), "install the driver's user-space libraries "
                + "(nvidia-utils / libnvidia-compute), or point GPUOP_DRIVER_ROOT at them");
        } catch (GpuException e) {
            return Finding.fail(AREA, "nvml", e.getMessage(), "the driver is loaded but NVML fails: check dmesg "
                + "for NVRM/Xid lines and that the kernel module and libnvidia-ml have the same version");
        }
    }

    private Finding libraries() {
        if (simulate != null) {
            return Finding.skip(AREA, "driver-libraries", "simulated GPUs");
        }
        Path root = DriverRoot.find(hostRoot);
        List<String> found = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String lib : LIBRARIES) {
            DriverRoot.LIB_DIRS.stream().map(d -> DriverRoot.under(root, d).resolve(lib)).filter(Files::exists)
                .findFirst().ifPresentOrElse(p -> found.add(hostRoot.relativize(p).toString()),
                    () -> missing.add(lib));
        }
        if (!missing.isEmpty()) {
            return Finding.fail(AREA, "driver-libraries", "missing " + missing + " under " + root + " in "
                + DriverRoot.LIB_DIRS + (found.isEmpty() ? "" : "; found " + found),
                "install the driver's user-space libraries of the same version as the kernel module");
        }
        return Finding.pass(AREA, "driver-libraries", "/" + String.join(", /", found));
    }

    private Finding cuda() {
        if (host == null) {
            return Finding.skip(AREA, "cuda", "needs NVML");
        }
        if (simulate != null) {
            return Finding.skip(AREA, "cuda", "simulated GPUs: no CUDA can run on them");
        }
        if (!hostRoot.toAbsolutePath().normalize().equals(Path.of("/"))) {
            return Finding.skip(AREA, "cuda", "--host-root " + hostRoot + " is not this machine's root");
        }
        try {
            CudaVectorAdd cuda = CudaVectorAdd.load(libraries(hostRoot));
            int n = cuda.deviceCount();
            List<String> failed = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                VectorAddResult r = cuda.run(i, CudaVectorAdd.DEFAULT_ELEMENTS, System.nanoTime(),
                    new PrintWriter(new StringWriter()));
                if (!r.passed()) {
                    failed.add("GPU " + i + ": " + r.mismatches() + " wrong elements");
                }
            }
            if (n == 0) {
                return Finding.fail(AREA, "cuda", "CUDA sees no GPU", "a GPU in MIG mode is not a CUDA device "
                    + "by itself: check nvidia-smi -L and CUDA_VISIBLE_DEVICES");
            }
            return failed.isEmpty() ? Finding.pass(AREA, "cuda", "vector add passed on " + n + " GPU(s)")
                : Finding.fail(AREA, "cuda", String.join("; ", failed), "the GPU computes wrong results: drain "
                    + "the node and check nvidia-smi -q for ECC and remapped-row errors");
        } catch (DriverLibraryNotFoundException | CudaException e) {
            return Finding.fail(AREA, "cuda", e.getMessage(), "run gpuop validate cuda for the sample's output; "
                + "a CUDA_ERROR_* name is the driver's own");
        }
    }

    static DriverLibraries libraries(Path hostRoot) {
        return hostRoot.toAbsolutePath().normalize().equals(Path.of("/")) ? DriverLibraries.standard()
            : DriverLibraries.underRoot(DriverRoot.find(hostRoot));
    }

    @Override
    public void close() {
        if (host != null) {
            host.close();
        }
    }
}
