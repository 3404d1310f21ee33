"""Reads the "impl call median p99 n" lines of the three NVML harnesses and prints a Markdown table with each
call's median and p99 per implementation and gpuop's ratio to C's median, measured in the same run."""
import sys

rows = {}
for line in sys.stdin:
    parts = line.split()
    if len(parts) == 5 and parts[0] in ("c", "java", "pynvml"):
        rows.setdefault(parts[1], {})[parts[0]] = (float(parts[2]), float(parts[3]), int(parts[4]))

print("| call | C median / p99 (µs) | gpuop (Java FFM) median / p99 (µs) | pynvml median / p99 (µs) | gpuop ÷ C (median) |")
print("|---|---|---|---|---|")
for call in ("utilization", "memory", "temperature", "power", "sm_clock", "uuid", "memory_v1"):
    r = rows.get(call, {})
    def cell(impl):
        return f"{r[impl][0]:.3f} / {r[impl][1]:.3f}" if impl in r else "—"
    ratio = f"{r['java'][0] / r['c'][0]:.2f}×" if "java" in r and "c" in r and r["c"][0] > 0 else "—"
    print(f"| {call} | {cell('c')} | {cell('java')} | {cell('pynvml')} | {ratio} |")
