package dev.gpuop.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DocumentMutationTest {

    private static Map<String, Object> doc() {
        Map<String, Object> resource = new LinkedHashMap<>(Map.of("name", "nvidia.com/gpu", "replicas", 4));
        Map<String, Object> sharing = new LinkedHashMap<>();
        sharing.put("resources", new ArrayList<>(List.of(resource)));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("version", "v1");
        doc.put("sharing", sharing);
        return doc;
    }

    @Test
    void pathsAreSpelledAsRefusalsSpellThem() {
        assertThat(DocumentMutation.paths(doc())).containsExactlyInAnyOrder("version", "sharing",
            "sharing.resources", "sharing.resources[0]", "sharing.resources[0].name",
            "sharing.resources[0].replicas");
    }

    @Test
    void eachChangeTouchesThePathItReportsAndLeavesTheCopyAlone() {
        Map<String, Object> original = doc();
        Set<String> kinds = new HashSet<>();
        for (int seed = 0; seed < 500; seed++) {
            Object changed = DocumentMutation.deepCopy(original);
            Random r = new Random(seed);
            DocumentMutation m = DocumentMutation.applySomewhere(changed, r, PropertyCheck.just("X"),
                List.of("extra"));
            kinds.add(m.how().replaceAll(" to .*| next to.*", ""));
            assertThat(changed).as(m.toString()).isNotEqualTo(original);
            assertThat(original).as("the original is untouched").isEqualTo(doc());
            assertThat(m.path().isEmpty() || DocumentMutation.paths(original).contains(m.path()))
                .as("the reported path %s is in the original", m.path()).isTrue();
        }
        assertThat(kinds).contains("removed", "set", "null inserted", "entry duplicated at the end", "entry set");
    }

    @Test
    void aListEntrySetLandsAtItsIndex() {
        Map<String, Object> d = doc();
        Random r = new Random(1);
        DocumentMutation m;
        do {
            d = doc();
            m = DocumentMutation.apply(d, "sharing.resources[0]", r, PropertyCheck.just("X"), List.of());
        } while (!m.how().startsWith("entry set"));
        assertThat(m.path()).isEqualTo("sharing.resources[0]");
        assertThat(((Map<?, ?>) d.get("sharing")).get("resources")).isEqualTo(List.of("X"));
    }
}
