package dev.gpuop.gpu.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gpuop.gpu.DriverLibraries;
import dev.gpuop.gpu.DriverLibraryNotFoundException;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The vector add on a real GPU (tag gpu). */
@Tag("gpu")
class CudaVectorAddGpuTest {

    private static CudaVectorAdd cuda;

    @BeforeAll
    static void needsCuda() {
        try {
            cuda = CudaVectorAdd.load(DriverLibraries.standard());
        } catch (DriverLibraryNotFoundException e) {
            assumeTrue(false, "no libcuda here: " + e.getMessage());
        }
    }

    @Test
    void fiftyThousandFloatsAddUpAndTheSampleLinesArePrinted() {
        StringWriter text = new StringWriter();
        VectorAddResult r = cuda.run(0, 50_000, 42, new PrintWriter(text, true));
        assertThat(r.passed()).isTrue();
        assertThat(r.blocks()).isEqualTo(196);
        assertThat(r.deviceName()).startsWith("NVIDIA");
        assertThat(text.toString()).startsWith("[Vector addition of 50000 elements]")
            .contains("CUDA kernel launch with 196 blocks of 256 threads", "Test PASSED");
    }

    @Test
    void sizesThatAreNotAMultipleOfTheBlockWorkToo() {
        VectorAddResult r = cuda.run(0, 1_000_003, 7, new PrintWriter(new StringWriter()));
        assertThat(r.passed()).isTrue();
        assertThat(r.blocks()).isEqualTo(3907);
    }

    @Test
    void aDeviceThatDoesNotExistIsACudaErrorByName() {
        assertThatThrownBy(() -> cuda.run(4096, 10, 1, new PrintWriter(new StringWriter())))
            .isInstanceOf(CudaException.class)
            .hasMessageContaining("cuDeviceGet failed: CUDA_ERROR_INVALID_DEVICE");
    }
}
