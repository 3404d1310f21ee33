/*
 * The floor for gpuop's NVML binding: the same six calls, made from C straight into libnvidia-ml.so.1, timed the
 * same way (a monotonic clock read around each call). Loaded with dlopen so it needs no NVML header to build:
 *   gcc -O2 -o nvml_latency nvml_latency.c -ldl && ./nvml_latency [iterations]
 * Prints one line per call: "c <call> <median_us> <p99_us> <n>".
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef void *nvmlDevice_t;
typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;
typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct { unsigned int version; unsigned long long total, reserved, free, used; } nvmlMemory_v2_t;

static int (*init)(void);
static int (*handleByIndex)(unsigned int, nvmlDevice_t *);
static int (*util)(nvmlDevice_t, nvmlUtilization_t *);
static int (*memv1)(nvmlDevice_t, nvmlMemory_t *);
static int (*memv2)(nvmlDevice_t, nvmlMemory_v2_t *);
static int (*temp)(nvmlDevice_t, int, unsigned int *);
static int (*power)(nvmlDevice_t, unsigned int *);
static int (*clock_)(nvmlDevice_t, int, unsigned int *);
static int (*uuid)(nvmlDevice_t, char *, unsigned int);

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static nvmlDevice_t dev;
static double *samples;

static int call(int which) {
    nvmlUtilization_t u; nvmlMemory_t m1; nvmlMemory_v2_t m2; unsigned int v; char buf[96];
    switch (which) {
        case 0: return util(dev, &u);
        case 1: m2.version = 0x02000028; return memv2(dev, &m2);
        case 2: return temp(dev, 0, &v);
        case 3: return power(dev, &v);
        case 4: return clock_(dev, 1, &v);
        case 5: return uuid(dev, buf, sizeof buf);
        default: return memv1(dev, &m1);
    }
}

int main(int argc, char **argv) {
    static const char *names[] = {"utilization", "memory", "temperature", "power", "sm_clock", "uuid", "memory_v1"};
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    void *lib = dlopen("libnvidia-ml.so.1", RTLD_NOW);
    if (!lib) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 3; }
    init = dlsym(lib, "nvmlInit_v2");
    handleByIndex = dlsym(lib, "nvmlDeviceGetHandleByIndex_v2");
    util = dlsym(lib, "nvmlDeviceGetUtilizationRates");
    memv1 = dlsym(lib, "nvmlDeviceGetMemoryInfo");
    memv2 = dlsym(lib, "nvmlDeviceGetMemoryInfo_v2");
    temp = dlsym(lib, "nvmlDeviceGetTemperature");
    power = dlsym(lib, "nvmlDeviceGetPowerUsage");
    clock_ = dlsym(lib, "nvmlDeviceGetClockInfo");
    uuid = dlsym(lib, "nvmlDeviceGetUUID");
    if (init() || handleByIndex(0, &dev)) { fprintf(stderr, "NVML init failed\n"); return 4; }
    samples = malloc(sizeof(double) * n);
    for (int which = 0; which < 7; which++) {
        for (int i = 0; i < 1000; i++) call(which);
        for (int i = 0; i < n; i++) {
            double t0 = now_us();
            int rc = call(which);
            samples[i] = now_us() - t0;
            if (rc) { fprintf(stderr, "%s failed: %d\n", names[which], rc); return 4; }
        }
        qsort(samples, n, sizeof(double), cmp);
        printf("c %s %.3f %.3f %d\n", names[which], samples[n / 2], samples[(int)(n * 0.99)], n);
    }
    return 0;
}
