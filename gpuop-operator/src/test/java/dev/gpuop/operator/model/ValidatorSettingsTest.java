package dev.gpuop.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.api.v1alpha1.EnvVar;
import dev.gpuop.api.v1alpha1.ValidatorSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** NVIDIA's validator keys: the ones the node checks honour change them, every other one is refused by name. */
class ValidatorSettingsTest {

    private static List<String> fields(List<PolicyProblem> p) {
        return p.stream().map(PolicyProblem::field).toList();
    }

    @Test
    void anEmptySectionAndTheChartsDefaultsRunEveryCheckAtTheAgentsInterval() {
        List<PolicyProblem> problems = new ArrayList<>();
        ValidatorSpec chartDefaults = new ValidatorSpec();
        chartDefaults.setRepository("");
        chartDefaults.setImage("");
        chartDefaults.setVersion("");
        chartDefaults.setCuda(new ValidatorSpec.ValidatorComponent(List.of()));
        assertThat(ValidatorSettings.of(chartDefaults, problems)).isEqualTo(new ValidatorSettings(true, null, true));
        assertThat(problems).isEmpty();
    }

    @Test
    void withWorkloadFalseTurnsCudaOffAndTheSleepIntervalSetsHowOftenTheChecksRun() {
        List<PolicyProblem> problems = new ArrayList<>();
        ValidatorSpec v = new ValidatorSpec();
        v.setEnv(List.of(new EnvVar("SLEEP_INTERVAL_SECONDS", "10")));
        v.setCuda(new ValidatorSpec.ValidatorComponent(List.of(new EnvVar("WITH_WORKLOAD", "false"))));
        v.setDriver(new ValidatorSpec.ValidatorComponent(List.of(new EnvVar("DISABLE_DEV_CHAR_SYMLINK_CREATION",
            "true"))));
        v.setPlugin(new ValidatorSpec.ValidatorComponent(List.of(new EnvVar("WITH_WORKLOAD", "false"))));
        v.setRepository("registry.example/gpuop");
        assertThat(ValidatorSettings.of(v, problems))
            .isEqualTo(new ValidatorSettings(false, Duration.ofSeconds(10), false));
        assertThat(problems).as("the image keys name the workload pod's image").isEmpty();
        ValidatorSpec top = new ValidatorSpec();
        top.setEnv(List.of(new EnvVar("WITH_WORKLOAD", "FALSE")));
        assertThat(ValidatorSettings.of(top, problems)).extracting(ValidatorSettings::cuda,
            ValidatorSettings::workload).containsExactly(false, false);
    }

    @Test
    void keysTheChecksDoNotReadAreRefusedNamingTheField() {
        List<PolicyProblem> problems = new ArrayList<>();
        ValidatorSpec v = new ValidatorSpec();
        v.setResources(new ResourceRequirements(null, Map.of("memory", new Quantity("1Gi")), null));
        v.setArgs(List.of("--debug"));
        v.setEnv(List.of(new EnvVar("SLEEP_INTERVAL_SECONDS", "0"), new EnvVar("COMPONENT", "driver")));
        v.setToolkit(new ValidatorSpec.ValidatorComponent(List.of(new EnvVar("WITH_WAIT", "true"))));
        v.setPlugin(new ValidatorSpec.ValidatorComponent(List.of(new EnvVar("WITH_WAIT", "true"))));
        v.setCuda(new ValidatorSpec.ValidatorComponent(List.of(new EnvVar("WITH_WORKLOAD", "maybe"))));
        v.setDriver(new ValidatorSpec.ValidatorComponent(List.of(new EnvVar("DISABLE_DEV_CHAR_SYMLINK_CREATION",
            "false"))));
        ValidatorSettings s = ValidatorSettings.of(v, problems);
        assertThat(s.cuda()).as("a bad value keeps the default").isTrue();
        assertThat(fields(problems)).containsExactly("spec.validator.resources", "spec.validator.args",
            "spec.validator.env[0].value", "spec.validator.env[1].name", "spec.validator.cuda.env[0].value",
            "spec.validator.plugin.env[0].name", "spec.validator.toolkit.env[0].name",
            "spec.validator.driver.env[0].value");
        assertThat(problems.get(3).message()).contains("'COMPONENT'").contains("SLEEP_INTERVAL_SECONDS");
        assertThat(problems.getLast().message()).contains("/dev/char");
    }
}
