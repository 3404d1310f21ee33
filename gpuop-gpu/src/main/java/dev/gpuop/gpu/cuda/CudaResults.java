package dev.gpuop.gpu.cuda;

import java.util.Map;

/**
 * Names of {@code CUresult} codes, for when the driver cannot name them itself ({@code cuGetErrorName} needs a
 * working library). The driver's own name is preferred.
 */
final class CudaResults {

    private static final Map<Integer, String> NAMES = Map.ofEntries(
        Map.entry(0, "CUDA_SUCCESS"), Map.entry(1, "CUDA_ERROR_INVALID_VALUE"),
        Map.entry(2, "CUDA_ERROR_OUT_OF_MEMORY"), Map.entry(3, "CUDA_ERROR_NOT_INITIALIZED"),
        Map.entry(4, "CUDA_ERROR_DEINITIALIZED"), Map.entry(100, "CUDA_ERROR_NO_DEVICE"),
        Map.entry(101, "CUDA_ERROR_INVALID_DEVICE"), Map.entry(200, "CUDA_ERROR_INVALID_IMAGE"),
        Map.entry(201, "CUDA_ERROR_INVALID_CONTEXT"), Map.entry(209, "CUDA_ERROR_NO_BINARY_FOR_GPU"),
        Map.entry(218, "CUDA_ERROR_INVALID_PTX"), Map.entry(221, "CUDA_ERROR_JIT_COMPILER_NOT_FOUND"),
        Map.entry(222, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION"), Map.entry(300, "CUDA_ERROR_INVALID_SOURCE"),
        Map.entry(303, "CUDA_ERROR_SHARED_OBJECT_INIT_FAILED"), Map.entry(400, "CUDA_ERROR_INVALID_HANDLE"),
        Map.entry(500, "CUDA_ERROR_NOT_FOUND"), Map.entry(600, "CUDA_ERROR_NOT_READY"),
        Map.entry(700, "CUDA_ERROR_ILLEGAL_ADDRESS"), Map.entry(701, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"),
        Map.entry(719, "CUDA_ERROR_LAUNCH_FAILED"), Map.entry(802, "CUDA_ERROR_SYSTEM_NOT_READY"),
        Map.entry(803, "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH"),
        Map.entry(804, "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE"),
        Map.entry(999, "CUDA_ERROR_UNKNOWN"));

    private CudaResults() {
    }

    static String name(int code) {
        return NAMES.getOrDefault(code, "CUresult " + code);
    }
}
