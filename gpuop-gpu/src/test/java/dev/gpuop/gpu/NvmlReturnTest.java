package dev.gpuop.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class NvmlReturnTest {

    @Test
    void everyCodeOfTheHeaderHasItsName() {
        assertThat(NvmlReturn.values()).hasSize(32);
        for (int code = 0; code <= 30; code++) {
            assertThat(NvmlReturn.of(code).code()).as("code %d", code).isEqualTo(code);
        }
        assertThat(NvmlReturn.of(15).cName()).isEqualTo("NVML_ERROR_GPU_IS_LOST");
        assertThat(NvmlReturn.of(9).cName()).isEqualTo("NVML_ERROR_DRIVER_NOT_LOADED");
        assertThat(NvmlReturn.of(0).cName()).isEqualTo("NVML_SUCCESS");
        assertThat(NvmlReturn.of(999)).isEqualTo(NvmlReturn.ERROR_UNKNOWN);
    }

    @Test
    void codesAreUniqueAndUnknownCodesMapToUnknown() {
        assertThat(Arrays.stream(NvmlReturn.values()).map(NvmlReturn::code).distinct().count())
            .isEqualTo(NvmlReturn.values().length);
        assertThat(NvmlReturn.of(31)).isEqualTo(NvmlReturn.ERROR_UNKNOWN);
        assertThat(NvmlReturn.of(-1)).isEqualTo(NvmlReturn.ERROR_UNKNOWN);
    }

    @Test
    void exceptionNamesCallAndCode() {
        GpuException e = new GpuException("nvmlDeviceGetPowerUsage", NvmlReturn.ERROR_NOT_SUPPORTED, "Not Supported");
        assertThat(e).hasMessage("nvmlDeviceGetPowerUsage failed: NVML_ERROR_NOT_SUPPORTED (3): Not Supported");
        assertThat(e.isNotSupported()).isTrue();
        assertThat(new GpuException("x", NvmlReturn.ERROR_GPU_IS_LOST, null).isNotSupported()).isFalse();
    }
}
