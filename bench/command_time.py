"""Wall time from process start to exit of short commands, in groups: the first command of each group is its
baseline (NVIDIA's tool or the CUDA sample) and every other is printed as a ratio to it. The commands of all
groups run interleaved, one round after another, after one warm-up round, so that a machine that slows down
mid-run slows every command alike. Every run must exit 0 and print the group's expected text, if it has one.

python3 command_time.py N --group NAME [--expect TEXT] label 'cmd' label 'cmd' ... [--group NAME ...]
Prints "startup GROUP LABEL median_s min_s max_s n ratio" per command.
"""
import statistics
import subprocess
import sys
import time


def parse(argv):
    groups, expect = [], None
    i = 0
    while i < len(argv):
        if argv[i] == "--group":
            groups.append((argv[i + 1], []))
            expect = None
            i += 2
        elif argv[i] == "--expect":
            expect = argv[i + 1]
            i += 2
        else:
            groups[-1][1].append((argv[i], argv[i + 1], expect))
            i += 2
    return groups


def run(cmd, expect):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, shell=True, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if p.returncode != 0 or (expect and expect not in p.stdout):
        return None, f"rc={p.returncode} out={p.stdout[-300:]!r} err={p.stderr[-500:]!r}"
    return elapsed, None


def main():
    n = int(sys.argv[1])
    groups = parse(sys.argv[2:])
    commands = [(g, label, cmd, expect) for g, cs in groups for label, cmd, expect in cs]
    times = {(g, label): [] for g, label, _, _ in commands}
    failed = {}
    for round_no in range(n + 1):
        for g, label, cmd, expect in commands:
            if (g, label) in failed:
                continue
            elapsed, why = run(cmd, expect)
            if why:
                failed[(g, label)] = why
            elif round_no > 0:
                times[(g, label)].append(elapsed)
    for g, cs in groups:
        base = None if (g, cs[0][0]) in failed else statistics.median(times[(g, cs[0][0])])
        for label, _, _ in cs:
            if (g, label) in failed:
                print(f"startup {g} {label} FAILED {failed[(g, label)]}", flush=True)
                continue
            t = times[(g, label)]
            median = statistics.median(t)
            ratio = f"{median / base:.2f}x" if base else "n/a (baseline failed)"
            print(f"startup {g} {label} {median:.3f} {min(t):.3f} {max(t):.3f} {len(t)} {ratio}", flush=True)


if __name__ == "__main__":
    main()
