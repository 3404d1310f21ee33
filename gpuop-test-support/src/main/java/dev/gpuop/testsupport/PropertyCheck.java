package dev.gpuop.testsupport;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Property checks at volume on plain JUnit: a generator draws each case from its own {@link Random}, seeded from the
 * property's fixed seed and the try number, so a run reproduces exactly and a failing case can be replayed alone.
 * The first failure stops the run and is reported with the try, its case seed and the case itself.
 *
 * <p>{@code -Dgpuop.property.tries=N} runs more (or fewer) tries than the test asks for, {@code
 * -Dgpuop.property.seed=S} another seed, {@code -Dgpuop.property.case=C} (with {@code -Dtest} naming the one test)
 * only the case whose seed a failure printed.
 */
public final class PropertyCheck {

    private PropertyCheck() {
    }

    /** A way to draw a value from a source of randomness. */
    @FunctionalInterface
    public interface Gen<T> {

        T next(Random random);

        default <R> Gen<R> map(Function<? super T, ? extends R> f) {
            return r -> f.apply(next(r));
        }

        default <R> Gen<R> flatMap(Function<? super T, Gen<R>> f) {
            return r -> f.apply(next(r)).next(r);
        }
    }

    /** Always the same value. */
    public static <T> Gen<T> just(T value) {
        return r -> value;
    }

    /** One of the values, equally likely. */
    @SafeVarargs
    public static <T> Gen<T> elements(T... values) {
        List<T> list = Arrays.asList(values);
        return r -> list.get(r.nextInt(list.size()));
    }

    /** One of the values, equally likely. */
    public static <T> Gen<T> elements(List<T> values) {
        return r -> values.get(r.nextInt(values.size()));
    }

    /** A whole number in [min, max]. */
    public static Gen<Integer> ints(int min, int max) {
        return r -> (int) (min + (long) (r.nextDouble() * ((long) max - min + 1)));
    }

    /** Draws from one of the generators, equally likely. */
    @SafeVarargs
    public static <T> Gen<T> oneOf(Gen<? extends T>... gens) {
        return r -> gens[r.nextInt(gens.length)].next(r);
    }

    /** Draws from the generators in proportion to their weights. */
    public static <T> Gen<T> frequency(List<Weighted<T>> choices) {
        int total = choices.stream().mapToInt(Weighted::weight).sum();
        return r -> {
            int pick = r.nextInt(total);
            for (Weighted<T> c : choices) {
                pick -= c.weight();
                if (pick < 0) {
                    return c.gen().next(r);
                }
            }
            throw new IllegalStateException("weights changed");
        };
    }

    /** A generator with its weight, for {@link #frequency}. */
    public record Weighted<T>(int weight, Gen<? extends T> gen) {
    }

    /** A weighted choice. */
    public static <T> Weighted<T> weight(int weight, Gen<? extends T> gen) {
        return new Weighted<>(weight, gen);
    }

    /** A list of min..max elements. */
    public static <T> Gen<List<T>> listOf(Gen<T> element, int min, int max) {
        return r -> {
            int n = ints(min, max).next(r);
            List<T> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(element.next(r));
            }
            return out;
        };
    }

    /** A string of min..max characters. */
    public static Gen<String> strings(Gen<Character> chars, int min, int max) {
        return listOf(chars, min, max).map(cs -> {
            StringBuilder b = new StringBuilder(cs.size());
            cs.forEach(b::append);
            return b.toString();
        });
    }

    /** One character of the text, equally likely. */
    public static Gen<Character> charsOf(String alphabet) {
        return r -> alphabet.charAt(r.nextInt(alphabet.length()));
    }

    /**
     * A parsed YAML or JSON document drawn at random, from {@code depth} down: a scalar half the time, else a list
     * or a map (keys drawn from {@code keys}) of up to three such values; only scalars below depth 4.
     */
    public static Object tree(Random r, int depth, Gen<?> scalars, List<String> keys) {
        int pick = r.nextInt(depth >= 4 ? 1 : 4);
        if (pick <= 1) {
            return scalars.next(r);
        }
        if (pick == 2) {
            List<Object> list = new ArrayList<>();
            for (int i = r.nextInt(4); i > 0; i--) {
                list.add(tree(r, depth + 1, scalars, keys));
            }
            return list;
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            map.put(elements(keys).next(r), tree(r, depth + 1, scalars, keys));
        }
        return map;
    }

    /**
     * Runs the property on {@code tries} cases and fails on the first one it rejects (an assertion or any exception).
     *
     * @param seed the fixed seed that makes the run reproducible
     * @return how many cases ran
     */
    public static <T> int forAll(int tries, long seed, Gen<T> gen, Consumer<? super T> property) {
        Long only = Long.getLong("gpuop.property.case");
        if (only != null) {
            check(only, -1, seed, gen, property);
            return 1;
        }
        long base = Long.getLong("gpuop.property.seed", seed);
        int n = Integer.getInteger("gpuop.property.tries", tries);
        for (int i = 0; i < n; i++) {
            check(caseSeed(base, i), i, base, gen, property);
        }
        return n;
    }

    private static <T> void check(long caseSeed, int attempt, long seed, Gen<T> gen, Consumer<? super T> property) {
        T value = gen.next(new Random(caseSeed));
        try {
            property.accept(value);
        } catch (AssertionError | RuntimeException e) {
            String shown = String.valueOf(value);
            if (shown.length() > 4000) {
                shown = shown.substring(0, 4000) + "... (" + shown.length() + " characters)";
            }
            throw new AssertionError("property falsified at try " + attempt + " (seed " + seed + "; replay this case "
                + "alone with -Dgpuop.property.case=" + caseSeed + " and -Dtest naming this test)\ncase: " + shown
                + "\nwhy: " + e, e);
        }
    }

    /** SplitMix64 of the seed and the try: neighbouring tries get unrelated streams. */
    static long caseSeed(long seed, int attempt) {
        long z = seed + (attempt + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
