package dev.gpuop.cli.doctor;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code gpuop doctor} found, in the order the seed's steps come.
 *
 * @param hostRoot the host root examined, or null when the host half did not run
 * @param findings every step
 * @param summary how many steps had each result
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DoctorReport(String hostRoot, List<Finding> findings, Map<Finding.Result, Integer> summary) {

    static DoctorReport of(String hostRoot, List<Finding> findings) {
        Map<Finding.Result, Integer> counts = new EnumMap<>(Finding.Result.class);
        for (Finding.Result r : Finding.Result.values()) {
            counts.put(r, (int) findings.stream().filter(f -> f.result() == r).count());
        }
        return new DoctorReport(hostRoot, List.copyOf(findings), counts);
    }

    /** Whether any step failed. */
    public boolean failed() {
        return summary.get(Finding.Result.FAIL) > 0;
    }

    /** The table: one line per step, a fix line under each that has one, then the counts. */
    public String table() {
        StringBuilder s = new StringBuilder();
        int width = findings.stream().mapToInt(f -> f.area().length() + f.step().length() + 1).max().orElse(10);
        s.append(String.format("%-" + width + "s  %-6s %s%n", "STEP", "RESULT", "EVIDENCE"));
        for (Finding f : findings) {
            s.append(String.format("%-" + width + "s  %-6s %s%n", f.area() + "/" + f.step(), f.result(),
                f.evidence()));
            if (f.fix() != null) {
                s.append(" ".repeat(width + 2)).append("fix:   ").append(f.fix()).append('\n');
            }
        }
        s.append(String.format("%d passed, %d failed, %d warnings, %d skipped%n", summary.get(Finding.Result.PASS),
            summary.get(Finding.Result.FAIL), summary.get(Finding.Result.WARN), summary.get(Finding.Result.SKIP)));
        return s.toString();
    }
}
