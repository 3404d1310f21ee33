package dev.gpuop.cli;

import dev.gpuop.gpu.DriverLibraryNotFoundException;
import dev.gpuop.gpu.GpuException;
import dev.gpuop.gpu.cuda.CudaException;
import dev.gpuop.gpu.host.HostProbe;
import dev.gpuop.node.deviceplugin.config.InvalidConfigException;
import dev.gpuop.node.toolkit.ContainerdDownException;
import dev.gpuop.node.toolkit.ToolkitException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns a failure into one clear line and the documented exit code. A stack trace is printed only with
 * {@code GPUOP_DEBUG=1}: a person reading "nvmlInit_v2 failed: NVML_ERROR_DRIVER_NOT_LOADED" needs nothing more.
 */
final class ErrorReporter implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
        if (e instanceof DriverLibraryNotFoundException) {
            HostReportPrinter.print(HostProbe.ofThisHost().probe(), cmd.getErr());
        }
        if ("1".equals(System.getenv("GPUOP_DEBUG"))) {
            e.printStackTrace(cmd.getErr());
        }
        return codeFor(e);
    }

    static int codeFor(Exception e) {
        if (e instanceof DriverLibraryNotFoundException) {
            return ExitCodes.NO_DRIVER;
        }
        if (e instanceof GpuException || e instanceof CudaException) {
            return ExitCodes.DRIVER_ERROR;
        }
        if (e instanceof ContainerdDownException) {
            return ExitCodes.CONTAINERD_DOWN;
        }
        if (e instanceof ToolkitException) {
            return ExitCodes.CONFIG_REFUSED;
        }
        if (e instanceof IllegalArgumentException || e instanceof InvalidConfigException) {
            return ExitCodes.USAGE;
        }
        return ExitCodes.FAILED;
    }
}
