package dev.gpuop.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Profile names must equal NVIDIA's, because they become resource names that pods request. */
class MigProfilesTest {

    private static final long MIB = 1L << 20;

    @ParameterizedTest(name = "{0} MiB GPU, {1}g/{2}c with {3} MiB -> {4}")
    @CsvSource({
        // A100-SXM4-40GB
        "40960,1,1,4864,1g.5gb", "40960,2,2,9984,2g.10gb", "40960,3,3,19968,3g.20gb", "40960,4,4,19968,4g.20gb",
        "40960,7,7,40192,7g.40gb",
        // A100 80GB
        "81920,1,1,9728,1g.10gb", "81920,3,3,40192,3g.40gb", "81920,7,7,80384,7g.80gb",
        // H100 80GB HBM3 (total 81559 MiB)
        "81559,1,1,9984,1g.10gb", "81559,2,2,20096,2g.20gb", "81559,7,7,80640,7g.80gb",
        // a compute instance smaller than its GPU instance
        "40960,3,1,19968,1c.3g.20gb", "40960,7,2,40192,2c.7g.40gb"})
    void namesMatchNvidia(long totalMiB, int gi, int ci, long memMiB, String name) {
        assertThat(MigProfiles.name(gi, ci, memMiB, totalMiB * MIB)).isEqualTo(name);
    }
}
