package dev.gpuop.gpu.bench;

import dev.gpuop.gpu.DriverLibraries;
import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.nvml.NvmlGpuHost;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Per-call latency of gpuop's NVML binding on GPU 0, timed exactly as bench/nvml_latency.c times the C calls (a
 * monotonic clock read around each call), after a warm-up long enough for C2 to compile the call path, as it is in
 * a node agent that has been polling for a while. Run by bench/run-gpu-bench.sh on the GPU machine.
 * Prints "java call median_us p99_us n" per call.
 */
public final class NvmlLatencyBench {

    private static final int WARMUP = 200_000;

    private NvmlLatencyBench() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        try (NvmlGpuHost host = NvmlGpuHost.open(DriverLibraries.standard())) {
            Gpu gpu = host.gpus().getFirst();
            Map<String, LongSupplier> calls = new LinkedHashMap<>();
            calls.put("utilization", () -> gpu.utilization().gpuPercent());
            calls.put("memory", () -> gpu.memory().freeBytes());
            calls.put("temperature", gpu::temperatureCelsius);
            calls.put("power", gpu::powerMilliwatts);
            calls.put("sm_clock", gpu::smClockMhz);
            calls.put("uuid", () -> gpu.uuid().length());
            long sink = 0;
            for (var e : calls.entrySet()) {
                LongSupplier call = e.getValue();
                for (int i = 0; i < WARMUP; i++) {
                    sink += call.getAsLong();
                }
                double[] us = new double[n];
                for (int i = 0; i < n; i++) {
                    long t0 = System.nanoTime();
                    sink += call.getAsLong();
                    us[i] = (System.nanoTime() - t0) / 1000.0;
                }
                Arrays.sort(us);
                System.out.printf("java %s %.3f %.3f %d%n", e.getKey(), us[n / 2], us[(int) (n * 0.99)], n);
            }
            System.err.println("(sink " + sink + ")");
        }
    }
}
