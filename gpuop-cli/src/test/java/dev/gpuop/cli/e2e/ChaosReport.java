package dev.gpuop.cli.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One chaos scenario's tally: runs, failures and recovery times, printed and appended to
 * {@code target/e2e-reports/chaos.txt}, the figures docs/benchmarks.md quotes.
 */
final class ChaosReport {

    /** How many times each scenario runs: a few in CI, 100 with {@code scripts/test.sh --chaos-long}. */
    static final int RUNS = Integer.getInteger("gpuop.chaos.runs", 5);

    private final String scenario;
    private final List<Double> recoveryMillis = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private int runs;

    ChaosReport(String scenario) {
        this.scenario = scenario;
    }

    void run(double recoveryMs) {
        runs++;
        recoveryMillis.add(recoveryMs);
    }

    void failure(String what) {
        failures.add(what);
    }

    void note(String what) {
        notes.add(what);
    }

    List<String> failures() {
        return failures;
    }

    static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int i = (int) Math.ceil(p / 100 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1)));
    }

    String line() {
        return String.format(Locale.ROOT, "%s: runs %d, failures %d, recovery p50 %.0f ms, p99 %.0f ms, max %.0f ms%s",
            scenario, runs, failures.size(), percentile(recoveryMillis, 50), percentile(recoveryMillis, 99),
            percentile(recoveryMillis, 100), notes.isEmpty() ? "" : "; " + String.join("; ", notes));
    }

    /** Prints the line and appends it to the report file. */
    void write() throws IOException {
        String line = line();
        System.out.println("chaos " + line);
        Path file = Path.of("target", "e2e-reports", "chaos.txt");
        Files.createDirectories(file.getParent());
        Files.writeString(file, java.time.Instant.now() + " " + line + "\n", StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
    }
}
