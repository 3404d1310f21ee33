"""Wall time from process start to exit (the last line is 'Done', right after 'Test PASSED') for each command given,
run N times each; prints "startup <label> <median_s> <min_s> <max_s> <n>". Every run must print 'Test PASSED'.

python3 startup_time.py N label1 'cmd1' label2 'cmd2' ...
"""
import statistics
import subprocess
import sys
import time

n = int(sys.argv[1])
args = sys.argv[2:]
for label, cmd in zip(args[0::2], args[1::2]):
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, shell=True, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        if p.returncode != 0 or "Test PASSED" not in p.stdout:
            print(f"startup {label} FAILED rc={p.returncode} out={p.stdout[-300:]!r} err={p.stderr[-500:]!r}")
            break
    else:
        print(f"startup {label} {statistics.median(times):.3f} {min(times):.3f} {max(times):.3f} {n}", flush=True)
