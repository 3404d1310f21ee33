package dev.gpuop.cli;

/** The exit codes of every gpuop command; listed in {@code --help} so scripts can branch on them. */
public final class ExitCodes {

    /** It worked. */
    public static final int OK = 0;
    /** The check ran and failed (e.g. a wrong element in the vector add). */
    public static final int FAILED = 1;
    /** The command line was wrong. */
    public static final int USAGE = 2;
    /** No NVIDIA driver library on this host (the message says whether a GPU is present). */
    public static final int NO_DRIVER = 3;
    /** The driver is there but a call failed (NVML or CUDA error, named in the message). */
    public static final int DRIVER_ERROR = 4;

    /** A containerd config or template was refused (bad input, or containerd would not load the result). */
    public static final int CONFIG_REFUSED = 5;
    /** containerd did not answer after the restart; the previous config was put back. */
    public static final int CONTAINERD_DOWN = 6;

    /** The lines every command's {@code --help} prints under "Exit codes:". */
    static final String HEADING = "%nExit codes:%n";
    static final String OK_LINE = OK + ":success";
    static final String FAILED_LINE = FAILED + ":the check ran and failed";
    static final String USAGE_LINE = USAGE + ":bad command line";
    static final String NO_DRIVER_LINE = NO_DRIVER + ":no NVIDIA driver library here (says if a GPU is present)";
    static final String DRIVER_ERROR_LINE = DRIVER_ERROR + ":a driver call failed (the NVML or CUDA error is named)";
    static final String CONFIG_REFUSED_LINE = CONFIG_REFUSED
        + ":a containerd config, template or dir was refused; every file is as it was (the message names the fix)";
    static final String CONTAINERD_DOWN_LINE = CONTAINERD_DOWN
        + ":containerd did not answer after the restart; the previous config was put back";

    private ExitCodes() {
    }
}
