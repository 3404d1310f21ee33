// The baseline for `gpuop validate cuda`: the CUDA sample's vector add, built with nvcc on the GPU machine.
//   nvcc -O2 -o vector_add vector_add.cu && ./vector_add
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <unistd.h>
#include <cuda_runtime.h>

__global__ void vadd(const float *a, const float *b, float *c, int n) {
    int i = blockDim.x * blockIdx.x + threadIdx.x;
    if (i < n) c[i] = a[i] + b[i];
}

int main() {
    const int n = 50000;
    size_t bytes = n * sizeof(float);
    printf("[Vector addition of %d elements]\n", n);
    float *a = (float *)malloc(bytes), *b = (float *)malloc(bytes), *c = (float *)malloc(bytes);
    for (int i = 0; i < n; i++) { a[i] = rand() / (float)RAND_MAX; b[i] = rand() / (float)RAND_MAX; }
    float *da, *db, *dc;
    if (cudaMalloc(&da, bytes) || cudaMalloc(&db, bytes) || cudaMalloc(&dc, bytes)) { puts("cudaMalloc failed"); return 1; }
    printf("Copy input data from the host memory to the CUDA device\n");
    cudaMemcpy(da, a, bytes, cudaMemcpyHostToDevice);
    cudaMemcpy(db, b, bytes, cudaMemcpyHostToDevice);
    int threads = 256, blocks = (n + threads - 1) / threads;
    printf("CUDA kernel launch with %d blocks of %d threads\n", blocks, threads);
    vadd<<<blocks, threads>>>(da, db, dc, n);
    if (cudaGetLastError() != cudaSuccess) { puts("launch failed"); return 1; }
    printf("Copy output data from the CUDA device to the host memory\n");
    cudaMemcpy(c, dc, bytes, cudaMemcpyDeviceToHost);
    for (int i = 0; i < n; i++) if (fabs(a[i] + b[i] - c[i]) > 1e-5) { printf("Result verification failed at element %d!\n", i); return 1; }
    printf("Test PASSED\n");
    fflush(stdout);
    // VECTORADD_HOLD_SECONDS: keep the context open after the test (scripts/gpu-e2e.sh's mps scenario, where two
    // pods must be clients of one MPS server at the same time)
    const char *hold = getenv("VECTORADD_HOLD_SECONDS");
    if (hold) sleep(atoi(hold));
    cudaFree(da); cudaFree(db); cudaFree(dc);
    printf("Done\n");
    return 0;
}
