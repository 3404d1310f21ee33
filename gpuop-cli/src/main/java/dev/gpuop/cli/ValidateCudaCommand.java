package dev.gpuop.cli;

import dev.gpuop.gpu.cuda.CudaVectorAdd;
import dev.gpuop.gpu.cuda.VectorAddResult;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gpuop validate cuda}: the seed tutorial's vectoradd pod, in-process, with no nvcc and no image. */
@Command(name = "cuda", mixinStandardHelpOptions = true,
    description = "Run a CUDA vector add of random floats on one GPU through the driver API and check every "
        + "element; prints the CUDA sample's lines ending in 'Test PASSED'.",
    exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILED_LINE,
        ExitCodes.USAGE_LINE, ExitCodes.NO_DRIVER_LINE, ExitCodes.DRIVER_ERROR_LINE})
final class ValidateCudaCommand implements Callable<Integer> {

    @Option(names = "--device", paramLabel = "N", defaultValue = "0",
        description = "CUDA device ordinal (default: ${DEFAULT-VALUE}).")
    int device;

    @Option(names = "--elements", paramLabel = "N", defaultValue = "" + CudaVectorAdd.DEFAULT_ELEMENTS,
        description = "Number of floats to add (default: ${DEFAULT-VALUE}, as the CUDA sample).")
    int elements;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the random inputs (default: the time).")
    Long seed;

    @Mixin
    DriverOptions driver;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (elements <= 0) {
            throw new IllegalArgumentException("--elements must be positive, got " + elements);
        }
        PrintWriter out = spec.commandLine().getOut();
        VectorAddResult result = CudaVectorAdd.load(driver.libraries())
            .run(device, elements, seed == null ? System.nanoTime() : seed, out);
        out.flush();
        return result.passed() ? ExitCodes.OK : ExitCodes.FAILED;
    }
}
