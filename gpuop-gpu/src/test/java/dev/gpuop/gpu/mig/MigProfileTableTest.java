package dev.gpuop.gpu.mig;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The profile names NVIDIA's MIG user guide lists for each GPU, from the GPU's name and memory. */
class MigProfileTableTest {

    private static List<String> names(String gpu, long mib) {
        return MigProfileTable.forGpu(gpu, mib << 20).orElseThrow().stream().map(MigProfile::name).toList();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "NVIDIA H200|143771|1g.18gb 1g.18gb+me 1g.35gb 2g.35gb 3g.71gb 4g.71gb 7g.141gb",
        "NVIDIA H100 80GB HBM3|81559|1g.10gb 1g.10gb+me 1g.20gb 2g.20gb 3g.40gb 4g.40gb 7g.80gb",
        "NVIDIA A100-SXM4-80GB|81920|1g.10gb 1g.10gb+me 1g.20gb 2g.20gb 3g.40gb 4g.40gb 7g.80gb",
        "NVIDIA A100-SXM4-40GB|40960|1g.5gb 1g.5gb+me 1g.10gb 2g.10gb 3g.20gb 4g.20gb 7g.40gb",
        "NVIDIA A30|24576|1g.6gb 1g.6gb+me 2g.12gb 2g.12gb+me 4g.24gb"})
    void namesFollowTheGpusMemory(String gpu, long mib, String expected) {
        assertThat(names(gpu, mib)).containsExactly(expected.split(" "));
    }

    @Test
    void instanceCountsAndSlicesAreTheGuides() {
        List<MigProfile> h200 = MigProfileTable.forGpu("NVIDIA H200", 143771L << 20).orElseThrow();
        assertThat(h200).extracting(MigProfile::maxInstances).containsExactly(7, 1, 4, 3, 2, 1, 1);
        assertThat(MigProfileTable.computeSlicesOf(h200)).isEqualTo(7);
        assertThat(MigProfileTable.memorySlicesOf(h200)).isEqualTo(8);
        List<MigProfile> a30 = MigProfileTable.forGpu("NVIDIA A30", 24576L << 20).orElseThrow();
        assertThat(MigProfileTable.computeSlicesOf(a30)).isEqualTo(4);
        assertThat(MigProfileTable.memorySlicesOf(a30)).isEqualTo(4);
    }

    @Test
    void gpusWithoutMigHaveNoTable() {
        assertThat(MigProfileTable.forGpu("NVIDIA L4", 23034L << 20)).isEmpty();
        assertThat(MigProfileTable.forGpu("NVIDIA GeForce MX150", 2002L << 20)).isEmpty();
    }
}
