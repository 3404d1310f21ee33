package dev.gpuop.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The chart ships the CRD the build generates, byte for byte; a stale copy fails the build. */
class CrdDriftTest {

    static final Path GENERATED = Path.of("target/classes/META-INF/fabric8/clusterpolicies.gpuop.dev-v1.yml");
    static final Path CHART_COPY = Path.of("../deploy/helm/gpuop/crds/clusterpolicies.gpuop.dev.yaml");

    @Test
    void theChartsCrdIsTheGeneratedOne() throws Exception {
        assertThat(GENERATED).exists();
        assertThat(Files.readString(CHART_COPY))
            .as("%s is stale: run scripts/update-crd.sh and commit it", CHART_COPY)
            .isEqualTo(Files.readString(GENERATED));
    }
}
