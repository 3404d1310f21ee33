package dev.gpuop.node.mig;

import static dev.gpuop.testsupport.PropertyCheck.charsOf;
import static dev.gpuop.testsupport.PropertyCheck.elements;
import static dev.gpuop.testsupport.PropertyCheck.forAll;
import static dev.gpuop.testsupport.PropertyCheck.frequency;
import static dev.gpuop.testsupport.PropertyCheck.just;
import static dev.gpuop.testsupport.PropertyCheck.oneOf;
import static dev.gpuop.testsupport.PropertyCheck.strings;
import static dev.gpuop.testsupport.PropertyCheck.weight;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.gpuop.gpu.ComputeCapability;
import dev.gpuop.gpu.GpuArchitecture;
import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.MigMode;
import dev.gpuop.gpu.mig.MigLayout;
import dev.gpuop.gpu.mig.MigProfileTable;
import dev.gpuop.testsupport.DocumentMutation;
import dev.gpuop.testsupport.PropertyCheck;
import dev.gpuop.testsupport.PropertyCheck.Gen;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * mig-parted configs at volume (issue 16): random documents and the sample config with one change, each read and,
 * when it reads, planned for a random node. Never an exception other than a refusal, a refusal always names the
 * source and a field path related to the change, and a plan that is made always fits the GPUs it changes.
 */
class MigPartedConfigPropertyTest {

    private static final int TRIES = 10_000;
    private static final String SOURCE = MigPartedConfigTest.SOURCE;
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Object SAMPLE = tree(MigPartedConfigTest.sample());

    private static final List<String> KEYS = List.of("version", "mig-configs", "devices", "mig-enabled",
        "mig-devices", "device-filter", "1g.10gb", "3g.71gb", "7g.80gb", "1c.3g.40gb", "1g.18gb+me", "x", "all");
    private static final Gen<Object> SCALARS = frequency(List.of(
        weight(3, elements(0, 1, -1, 2, 4, 7, 8, 63, 64, 0x233510DE, 0x2335, 2_147_483_648L, 1.5)),
        weight(4, elements("all", "none", "", "v1", "v2", "0x233510DE", "0x20B010DE", "0x2335", "0xZZZZ10DE",
            "1g.10gb", "3g.40gb", "true", "\u001b[2J", "a\nb", "\u0000")),
        weight(2, elements(true, false)),
        weight(1, just(null))));
    private static final Gen<Object> VALUES = r -> switch (r.nextInt(7)) {
        case 0, 1, 2 -> SCALARS.next(r);
        case 3 -> new ArrayList<>(List.of(r.nextInt(9), r.nextInt(9)));
        case 4 -> new ArrayList<>();
        case 5 -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put(elements(KEYS).next(r), SCALARS.next(r));
            yield one;
        }
        default -> new LinkedHashMap<>();
    };

    /** A document, how it was made, and the path changed (null when the text itself was damaged). */
    record Case(String text, String mutatedPath, String how, List<GpuInfo> gpus) {
        @Override
        public String toString() {
            return how + " at " + mutatedPath + ", GPUs " + gpus.stream().map(GpuInfo::name).toList() + "\n---\n"
                + text + "\n---";
        }
    }

    @Test
    void randomDocumentsAreReadOrRefusedNamingTheSource() {
        Gen<Case> docs = oneOf(
            r -> new Case(strings(charsOf("{}[]:,-'\"#&*!|>?%@`\n\t abvmigcfs-enabled 01234567xg."), 0, 80)
                .next(r), null, "random text", node(r)),
            r -> new Case(text(randomTree(r, 0)), null, "random tree", node(r)),
            r -> new Case("version: v1\nmig-configs:\n  " + strings(charsOf("ab-:.{}[] 0123"), 0, 20).next(r)
                + ": " + text(randomTree(r, 1)), null, "random layout", node(r)));
        int[] seen = new int[2];
        forAll(TRIES, 20_261_206L, docs, c -> seen[readOrRefused(c) ? 0 : 1]++);
        assertThat(seen[1]).as("random documents refused").isGreaterThan(TRIES / 2);
    }

    @Test
    void theSampleWithOneChangeIsReadOrRefusedNamingTheField() {
        Gen<Case> mutated = r -> {
            Object doc = DocumentMutation.deepCopy(SAMPLE);
            DocumentMutation change = DocumentMutation.applySomewhere(doc, r, VALUES, KEYS);
            return new Case(text(doc), change.path(), change.how(), node(r));
        };
        int[] seen = new int[2];
        forAll(TRIES, 20_261_207L, mutated, c -> seen[readOrRefused(c) ? 0 : 1]++);
        // most single changes break a mig-parted config (its fields are few and strict); both sides must be seen
        assertThat(seen[0]).as("changed configs read").isGreaterThanOrEqualTo(TRIES / 10);
        assertThat(seen[1]).as("changed configs refused").isGreaterThanOrEqualTo(TRIES / 5);
    }

    /** The property: true when the config was read (its layouts then planned), false when it was refused. */
    private static boolean readOrRefused(Case c) {
        MigPartedConfig config;
        try {
            config = MigPartedConfig.parse(c.text(), SOURCE);
        } catch (InvalidMigConfigException e) {
            String rest = clean(e.getMessage()).substring(SOURCE.length() + 2);
            if (rest.startsWith("not YAML: ")) {
                return false;
            }
            String named = rest.substring(0, rest.indexOf(": "));
            if (c.mutatedPath() != null) {
                assertThat(related(named, c.mutatedPath()) || namesASibling(named, c.mutatedPath(), rest))
                    .as("the refusal names " + named + ", the change was at " + c.mutatedPath()).isTrue();
            }
            return false;
        }
        assertThat(config.configs()).isNotEmpty();
        for (String layout : config.configs().keySet()) {
            planOrRefuse(config, layout, c.gpus());
        }
        return true;
    }

    private static void planOrRefuse(MigPartedConfig config, String layout, List<GpuInfo> gpus) {
        MigLayoutPlan plan;
        try {
            plan = MigLayoutPlan.of(config, layout, gpus, SOURCE);
        } catch (InvalidMigConfigException e) {
            assertThat(clean(e.getMessage())).startsWith(SOURCE + ": mig-configs." + layout + "[");
            return;
        }
        for (MigLayoutPlan.GpuLayout g : plan.gpus()) {
            GpuInfo gpu = gpus.stream().filter(x -> x.index() == g.gpuIndex()).findFirst().orElseThrow();
            if (!g.migEnabled()) {
                assertThat(g.instances()).isEmpty();
                continue;
            }
            var offered = MigProfileTable.forGpu(gpu.name(), gpu.memoryTotalBytes()).orElseThrow();
            long used = 0;
            int compute = 0;
            for (MigLayout.Placement p : g.instances()) {
                assertThat(offered).contains(p.profile());
                assertThat(p.profile().placementStarts()).contains(p.start());
                long own = ((1L << p.profile().memorySlices()) - 1) << p.start();
                assertThat(used & own).as("instances overlap on " + gpu.name()).isZero();
                assertThat(p.start() + p.profile().memorySlices())
                    .isLessThanOrEqualTo(MigProfileTable.memorySlicesOf(offered));
                used |= own;
                compute += p.profile().computeSlices();
            }
            assertThat(compute).isLessThanOrEqualTo(MigProfileTable.computeSlicesOf(offered));
        }
    }

    /** A refusal a user can read: no Java in it, no control character to break a log line or a condition. */
    private static String clean(String message) {
        assertThat(message).startsWith(SOURCE + ": ").doesNotContain("java.", "dev.gpuop", "\tat ", "Exception",
            "Source: UNKNOWN").doesNotContainPattern("\\p{Cntrl}");
        return message;
    }

    private static boolean related(String named, String mutated) {
        return mutated.isEmpty() || named.equals(mutated) || named.equals("(the document)")
            || mutated.startsWith(named + ".") || mutated.startsWith(named + "[")
            || named.startsWith(mutated + ".") || named.startsWith(mutated + "[");
    }

    /**
     * A refusal of two fields that conflict names one and mentions the other ({@code mig-enabled: false}); of two
     * equal list entries, the later one.
     */
    private static boolean namesASibling(String named, String mutated, String message) {
        int bracket = mutated.lastIndexOf('[');
        if (mutated.endsWith("]") && bracket > 0 && named.startsWith(mutated.substring(0, bracket + 1))) {
            return true; // a duplicate is named where it repeats
        }
        int dot = mutated.lastIndexOf('.');
        return dot > 0 && named.startsWith(mutated.substring(0, dot + 1))
            && message.contains(mutated.substring(dot + 1) + ":");
    }

    // ---- nodes -------------------------------------------------------------------------------------------

    private static final List<GpuInfo> KINDS = List.of(MigLayoutPlanTest.h100(0), MigLayoutPlanTest.h200(0),
        MigLayoutPlanTest.l4(0), gpu("NVIDIA A100-SXM4-40GB", 0x20b010de, 40960), gpu("NVIDIA A30", 0x20b710de, 24576));

    private static GpuInfo gpu(String name, int deviceId, long mib) {
        return new GpuInfo(0, 0, "GPU-0", name, "00000000:00:05.0", deviceId, mib << 20, new ComputeCapability(8, 0),
            GpuArchitecture.AMPERE, new MigMode(false, false), List.of(), List.of());
    }

    /** One to eight GPUs, of one kind mostly, sometimes mixed. */
    private static List<GpuInfo> node(Random r) {
        int n = 1 + r.nextInt(8);
        boolean mixed = r.nextInt(4) == 0;
        GpuInfo kind = elements(KINDS).next(r);
        List<GpuInfo> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            GpuInfo k = mixed ? elements(KINDS).next(r) : kind;
            out.add(new GpuInfo(i, i, "GPU-" + i, k.name(), k.pciBusId(), k.pciDeviceId(), k.memoryTotalBytes(),
                k.computeCapability(), k.architecture(), k.migMode(), List.of(), List.of()));
        }
        return out;
    }

    // ---- documents ---------------------------------------------------------------------------------------

    private static Object randomTree(Random r, int depth) {
        return PropertyCheck.tree(r, depth, SCALARS, KEYS);
    }

    private static String text(Object doc) {
        try {
            return YAML.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object tree(String yaml) {
        try {
            return YAML.readValue(yaml, Object.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
