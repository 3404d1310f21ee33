package dev.gpuop.node.mps;

import dev.gpuop.gpu.DriverRoot;
import dev.gpuop.node.cdi.DriverFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The driver's {@code nvidia-cuda-mps-control} and the directory of its {@code libcuda.so.1}, found under the driver's
 * root as the node agent sees it: the agent's image has no driver, and the daemon and the server it starts must run
 * the node's own driver, as every client does.
 *
 * @param control the control program, under the driver root
 * @param libDir the directory of the driver's CUDA library, under the driver root
 */
public record MpsDriverTools(Path control, Path libDir) {

    static final String CONTROL = "nvidia-cuda-mps-control";
    static final String CUDA = "libcuda.so.1";
    static final List<String> BIN_DIRS = List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/nvidia/bin",
        "/usr/local/bin");

    /**
     * Looks the tools up under a driver root.
     *
     * @throws IllegalStateException naming every path searched, when one is missing
     */
    public static MpsDriverTools find(Path driverRoot) {
        List<String> searched = new ArrayList<>();
        List<Path> found = new ArrayList<>();
        for (String dir : BIN_DIRS) {
            Path p = DriverRoot.under(driverRoot, dir + "/" + CONTROL);
            searched.add(p.toString());
            if (Files.isExecutable(p)) {
                found.add(p);
            }
        }
        // the driver's own program before a wrapper script of the same name (the H200 machine wraps its tools in
        // /usr/bin with shell scripts, which may need what the agent's image lacks)
        Path control = found.stream().filter(DriverFiles::isElf).findFirst()
            .orElse(found.isEmpty() ? null : found.getFirst());
        if (control == null) {
            throw new IllegalStateException(CONTROL + " was not found; searched " + String.join(", ", searched));
        }
        searched.clear();
        for (String dir : DriverRoot.LIB_DIRS) {
            Path p = DriverRoot.under(driverRoot, dir + "/" + CUDA);
            searched.add(p.toString());
            if (Files.exists(p)) {
                return new MpsDriverTools(control, p.getParent());
            }
        }
        throw new IllegalStateException(CUDA + " (for the MPS server) was not found; searched "
            + String.join(", ", searched));
    }
}
