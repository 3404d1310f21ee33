package dev.gpuop.node.bench;

import java.util.Arrays;

/** The benchmarks' one way to read a sample: nearest-rank percentiles of microsecond timings. */
final class Percentiles {

    private Percentiles() {
    }

    /** Prints {@code name: p50 .. us, p99 .. us, n=..}. */
    static void report(String name, double[] us) {
        System.out.printf("%s: p50 %.1f us, p99 %.1f us, n=%d%n", name, pct(us, 0.5), pct(us, 0.99), us.length);
    }

    /** The p-th percentile (0..1), nearest rank; 1 is the largest value. */
    static double pct(double[] values, double p) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) (s.length * p))];
    }
}
