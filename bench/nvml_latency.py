"""NVIDIA's Python binding (pynvml) on the same six calls, timed as the C and Java harnesses time them.

python3 nvml_latency.py [iterations]  ->  "pynvml <call> <median_us> <p99_us> <n>" per call.
"""
import sys
import time

import pynvml


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    pynvml.nvmlInit()
    h = pynvml.nvmlDeviceGetHandleByIndex(0)
    calls = {
        "utilization": lambda: pynvml.nvmlDeviceGetUtilizationRates(h),
        "memory": lambda: pynvml.nvmlDeviceGetMemoryInfo(h, version=pynvml.nvmlMemory_v2),
        "temperature": lambda: pynvml.nvmlDeviceGetTemperature(h, pynvml.NVML_TEMPERATURE_GPU),
        "power": lambda: pynvml.nvmlDeviceGetPowerUsage(h),
        "sm_clock": lambda: pynvml.nvmlDeviceGetClockInfo(h, pynvml.NVML_CLOCK_SM),
        "uuid": lambda: pynvml.nvmlDeviceGetUUID(h),
    }
    for name, fn in calls.items():
        for _ in range(1000):
            fn()
        samples = []
        clock = time.perf_counter_ns
        for _ in range(n):
            t0 = clock()
            fn()
            samples.append((clock() - t0) / 1000.0)
        samples.sort()
        print(f"pynvml {name} {samples[n // 2]:.3f} {samples[int(n * 0.99)]:.3f} {n}", flush=True)


if __name__ == "__main__":
    main()
