package dev.gpuop.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One row per status combination, NVIDIA's rules. */
class DaemonSetReadinessTest {

    private static DaemonSet ds(long generation, long observed, int desired, int available, int updated,
                                int unavailable) {
        return new DaemonSetBuilder().withNewMetadata().withName("agent").withGeneration(generation).endMetadata()
            .withNewStatus().withObservedGeneration(observed).withDesiredNumberScheduled(desired)
            .withNumberAvailable(available).withUpdatedNumberScheduled(updated).withNumberUnavailable(unavailable)
            .endStatus().build();
    }

    static Stream<Arguments> rollingUpdate() {
        return Stream.of(
            Arguments.of("all updated and available", ds(2, 2, 3, 3, 3, 0), true),
            Arguments.of("zero desired pods is ready", ds(1, 1, 0, 0, 0, 0), true),
            Arguments.of("controller behind the spec", ds(3, 2, 3, 3, 3, 0), false),
            Arguments.of("observed ahead is fine", ds(2, 3, 1, 1, 1, 0), true),
            Arguments.of("one unavailable", ds(1, 1, 3, 2, 3, 1), false),
            Arguments.of("one not updated", ds(1, 1, 3, 3, 2, 0), false),
            Arguments.of("no status yet", new DaemonSetBuilder().withNewMetadata().withName("x").endMetadata()
                .build(), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rollingUpdate")
    void rollingUpdateDaemonSets(String name, DaemonSet ds, boolean ready) {
        DaemonSetReadiness.Verdict v = DaemonSetReadiness.evaluate(ds, null);
        assertThat(v.ready()).isEqualTo(ready);
        assertThat(v.message().isEmpty()).isEqualTo(ready);
    }

    static Stream<Arguments> onDelete() {
        var cur = new DaemonSetReadiness.PodFacts("rev2", true);
        return Stream.of(
            Arguments.of("every pod on the newest revision", List.of(cur, cur), true),
            Arguments.of("a pod on an old revision (counters cannot show it)", List.of(cur,
                new DaemonSetReadiness.PodFacts("rev1", true)), false),
            Arguments.of("a pod not running", List.of(cur, new DaemonSetReadiness.PodFacts("rev2", false)), false),
            Arguments.of("a pod missing", List.of(cur), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("onDelete")
    void onDeleteDaemonSetsCompareRevisions(String name, List<DaemonSetReadiness.PodFacts> pods, boolean ready) {
        DaemonSetReadiness.Verdict v = DaemonSetReadiness.evaluate(ds(1, 1, 2, 2, 0, 0),
            new DaemonSetReadiness.OnDeleteFacts("rev2", pods));
        assertThat(v.ready()).as(v.message()).isEqualTo(ready);
    }
}
