package dev.gpuop.gpu.mig;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MigLayoutTest {

    private static final List<MigProfile> H100 = MigProfileTable.forGpu("NVIDIA H100 80GB HBM3", 81559L << 20)
        .orElseThrow();

    private static Map<String, Integer> want(Object... nameCount) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < nameCount.length; i += 2) {
            m.put((String) nameCount[i], (Integer) nameCount[i + 1]);
        }
        return m;
    }

    @Test
    void theGuidesExampleLayoutsFit() {
        for (Map<String, Integer> w : List.of(want("7g.80gb", 1), want("3g.40gb", 2), want("4g.40gb", 1, "3g.40gb", 1),
            want("2g.20gb", 3, "1g.10gb", 1), want("1g.10gb", 7), want("1g.20gb", 4),
            want("4g.40gb", 1, "1g.20gb", 2), want("3g.40gb", 1, "2g.20gb", 2), want("1g.10gb+me", 1, "1g.10gb", 6))) {
            MigLayout.Result r = MigLayout.place(H100, w);
            assertThat(r.fits()).as(w + ": " + r.problem()).isTrue();
            assertThat(r.placements()).hasSize(w.values().stream().mapToInt(Integer::intValue).sum());
        }
    }

    @Test
    void refusalsSayWhichProfileOrWhy() {
        MigLayout.Result unknown = MigLayout.place(H100, want("1g.5gb", 1));
        assertThat(unknown.profile()).contains("1g.5gb");
        assertThat(unknown.problem().orElseThrow()).contains("offers no MIG profile 1g.5gb", "1g.10gb", "7g.80gb");
        assertThat(MigLayout.place(H100, want("1g.10gb", 8)).problem().orElseThrow()).contains("at most 7");
        assertThat(MigLayout.place(H100, want("4g.40gb", 1, "2g.20gb", 2)).problem().orElseThrow())
            .contains("8 compute slices", "has 7");
        assertThat(MigLayout.place(H100, want("1g.10gb+me", 1, "1g.10gb+me", 0)).fits()).isTrue();
        // compute fits (6 of 7), memory does not: the 3g takes half, the two 1g.20gb the rest
        MigLayout.Result memory = MigLayout.place(H100, want("3g.40gb", 1, "1g.20gb", 2, "1g.10gb", 1));
        assertThat(memory.fits()).isFalse();
        assertThat(memory.problem().orElseThrow()).contains("no placement", "8 memory slices");
    }

    /** Against a search of every start of every instance, written apart from the one under test. */
    @Test
    void placesExactlyWhenSomePlacementExists() {
        // gpuop-gpu sits below the test support module (and its PropertyCheck): a seeded loop does here
        Random random = new Random(20_261_206L);
        for (int n = 0; n < 2_000; n++) {
            Map<String, Integer> w = new LinkedHashMap<>();
            for (int i = random.nextInt(4); i >= 0; i--) {
                w.merge(H100.get(random.nextInt(H100.size())).name(), 1 + random.nextInt(3), Integer::sum);
            }
            MigLayout.Result r = MigLayout.place(H100, w);
            boolean exists = anyPlacement(expand(w), 0, 0, 0, 0);
            assertThat(r.fits()).as(w + " " + r.problem()).isEqualTo(exists);
            if (r.fits()) {
                long mask = 0;
                for (MigLayout.Placement p : r.placements()) {
                    assertThat(p.profile().placementStarts()).contains(p.start());
                    long own = ((1L << p.profile().memorySlices()) - 1) << p.start();
                    assertThat(mask & own).as("overlap in " + r.placements()).isZero();
                    mask |= own;
                }
            }
        }
    }

    private static List<MigProfile> expand(Map<String, Integer> w) {
        List<MigProfile> out = new ArrayList<>();
        w.forEach((name, n) -> {
            MigProfile p = H100.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
            for (int i = 0; i < n; i++) {
                out.add(p);
            }
        });
        return out;
    }

    private static boolean anyPlacement(List<MigProfile> all, int i, long mask, int compute, int media) {
        if (i == all.size()) {
            return compute <= 7 && media <= 1 && all.stream().allMatch(p -> all.stream()
                .filter(q -> q == p).count() <= p.maxInstances());
        }
        MigProfile p = all.get(i);
        for (int start : p.placementStarts()) {
            long own = ((1L << p.memorySlices()) - 1) << start;
            if (start + p.memorySlices() <= 8 && (mask & own) == 0
                && anyPlacement(all, i + 1, mask | own, compute + p.computeSlices(),
                    media + (p.mediaExtensions() ? 1 : 0))) {
                return true;
            }
        }
        return false;
    }
}
