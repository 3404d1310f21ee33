package dev.gpuop.gpu.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VectorAddCheckTest {

    @Test
    void rightSumsPassAndAWrongOneIsFound() {
        float[] a = {1f, 2f, 3f, 0.1f};
        float[] b = {4f, 5f, 6f, 0.2f};
        float[] c = {5f, 7f, 9f, 0.1f + 0.2f};
        assertThat(VectorAddCheck.firstMismatch(a, b, c)).isEqualTo(-1);
        c[2] = 9.001f;
        c[3] = Float.NaN;
        assertThat(VectorAddCheck.firstMismatch(a, b, c)).isEqualTo(2);
        assertThat(VectorAddCheck.mismatches(a, b, c)).isEqualTo(2);
    }

    @Test
    void theEmbeddedPtxIsTheVaddKernel() {
        String ptx = CudaVectorAdd.ptx();
        assertThat(ptx).contains(".visible .entry vadd(", ".address_size 64", "add.f32", ".target sm_52");
        assertThat(ptx.chars().allMatch(ch -> ch < 128)).as("PTX is ASCII").isTrue();
    }

    @Test
    void resultPassesOnlyWithoutMismatches() {
        assertThat(new VectorAddResult("g", 10, 1, 256, -1, 0).passed()).isTrue();
        assertThat(new VectorAddResult("g", 10, 1, 256, 3, 1).passed()).isFalse();
    }
}
