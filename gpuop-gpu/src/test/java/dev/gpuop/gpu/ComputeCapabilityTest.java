package dev.gpuop.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ComputeCapabilityTest {

    @ParameterizedTest(name = "{0}.{1} is {2}")
    @CsvSource({
        "1,3,tesla", "2,1,fermi", "3,7,kepler", "5,2,maxwell", "6,1,pascal", "7,0,volta", "7,2,volta",
        "7,5,turing", "8,0,ampere", "8,6,ampere", "8,7,ampere", "8,9,ada-lovelace", "9,0,hopper",
        "10,0,blackwell", "12,0,blackwell", "13,0,rubin", "4,0,undefined", "11,0,undefined"})
    void familyFollowsFeatureDiscovery(int major, int minor, String family) {
        assertThat(new ComputeCapability(major, minor).family()).isEqualTo(family);
    }

    @ParameterizedTest
    @CsvSource({"12000,12,0,12.0", "12050,12,5,12.5", "13000,13,0,13.0", "11080,11,8,11.8"})
    void cudaVersionDecodesTheDriversInteger(int encoded, int major, int minor, String text) {
        CudaVersion v = CudaVersion.fromInt(encoded);
        assertThat(v).isEqualTo(new CudaVersion(major, minor));
        assertThat(v.encoded()).isEqualTo(encoded);
        assertThat(v).hasToString(text);
    }
}
