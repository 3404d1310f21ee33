package dev.gpuop.gpu;

import java.util.List;

/** A driver library (NVML or CUDA) is nowhere to be found; the message lists every place searched and the fix. */
public class DriverLibraryNotFoundException extends RuntimeException {

    private final String soname;
    private final List<String> searched;

    public DriverLibraryNotFoundException(String soname, List<String> searched) {
        super(soname + " was not found. Searched: " + String.join(", ", searched)
            + ". Install the NVIDIA driver on the host (for example `apt install nvidia-driver-580` and a reboot),"
            + " or point --driver-root (GPUOP_DRIVER_ROOT) at the directory that holds " + soname + ".");
        this.soname = soname;
        this.searched = List.copyOf(searched);
    }

    /** The library's soname, e.g. {@code libnvidia-ml.so.1}. */
    public String soname() {
        return soname;
    }

    /** The places searched, in order. */
    public List<String> searched() {
        return searched;
    }
}
