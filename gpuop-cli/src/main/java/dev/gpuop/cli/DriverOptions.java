package dev.gpuop.cli;

import dev.gpuop.gpu.DriverLibraries;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the driver's libraries are: the standard search unless the user names a root. */
final class DriverOptions {

    @Option(names = "--driver-root", paramLabel = "DIR",
        description = "Directory holding libnvidia-ml.so.1 and libcuda.so.1 (default: the dynamic loader, then "
            + "the usual driver dirs; env GPUOP_DRIVER_ROOT).")
    Path driverRoot;

    DriverLibraries libraries() {
        return driverRoot == null ? DriverLibraries.standard() : DriverLibraries.at(driverRoot);
    }
}
