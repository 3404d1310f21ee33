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

    /** The lines every command's {@code --help} prints under "Exit codes:". */
    static final String HEADING = "%nExit codes:%n";
    static final String OK_LINE = OK + ":success";
    static final String FAILED_LINE = FAILED + ":the check ran and failed";
    static final String USAGE_LINE = USAGE + ":bad command line";
    static final String NO_DRIVER_LINE = NO_DRIVER + ":no NVIDIA driver library here (says if a GPU is present)";
    static final String DRIVER_ERROR_LINE = DRIVER_ERROR + ":a driver call failed (the NVML or CUDA error is named)";

    private ExitCodes() {
    }
}
