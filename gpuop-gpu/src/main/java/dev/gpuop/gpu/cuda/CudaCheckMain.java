package dev.gpuop.gpu.cuda;

import dev.gpuop.gpu.DriverLibraries;
import dev.gpuop.gpu.DriverLibraryNotFoundException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/**
 * The node agent's CUDA stage, as a process of its own: the vector add on every GPU CUDA sees, one line each on
 * stdout ({@code cuda <ordinal> passed|failed <detail>}, first a {@code devices <n>} line). A process of its own
 * because a CUDA context's host memory and threads stay with the process that made it, and a driver fault there
 * must not take the device plugin down with it (ADR 0010). Exit 0 when every GPU passed, 1 when one failed, 3 when
 * libcuda cannot be loaded.
 */
public final class CudaCheckMain {

    /** The exit status when {@code libcuda.so.1} is nowhere to be found. */
    public static final int NO_DRIVER = 3;

    private CudaCheckMain() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        System.exit(run(out, DriverLibraries.standard()));
    }

    /** Runs the check; the exit status. */
    static int run(PrintWriter out, DriverLibraries libraries) {
        CudaVectorAdd cuda;
        int devices;
        try {
            cuda = CudaVectorAdd.load(libraries);
            devices = cuda.deviceCount();
        } catch (DriverLibraryNotFoundException e) {
            out.println("error " + oneLine(e.getMessage()));
            return NO_DRIVER;
        } catch (CudaException e) {
            out.println("error " + oneLine(e.getMessage()));
            return 1;
        }
        out.println("devices " + devices);
        boolean all = true;
        for (int i = 0; i < devices; i++) {
            try {
                VectorAddResult r = cuda.run(i, CudaVectorAdd.DEFAULT_ELEMENTS, System.nanoTime(),
                    new PrintWriter(new StringWriter()));
                all &= r.passed();
                out.println("cuda " + i + (r.passed() ? " passed " + r.deviceName()
                    : " failed " + r.mismatches() + " wrong elements from index " + r.firstMismatch()));
            } catch (CudaException e) {
                all = false;
                out.println("cuda " + i + " failed " + oneLine(e.getMessage()));
            }
        }
        return all ? 0 : 1;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').strip();
    }
}
