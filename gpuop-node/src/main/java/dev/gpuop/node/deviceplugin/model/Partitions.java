package dev.gpuop.node.deviceplugin.model;

import java.util.ArrayList;
import java.util.List;

/** Every way to split a list (its size a multiple of k) into unordered groups of k, each group in list order. */
final class Partitions {

    private Partitions() {
    }

    static List<List<List<String>>> of(List<String> items, int k) {
        List<List<List<String>>> out = new ArrayList<>();
        split(new ArrayList<>(items), k, new ArrayList<>(), out);
        return out;
    }

    /** Fixes the first remaining item in a group, chooses its k-1 mates, recurses on the rest. */
    private static void split(List<String> rest, int k, List<List<String>> acc, List<List<List<String>>> out) {
        if (rest.isEmpty()) {
            out.add(new ArrayList<>(acc));
            return;
        }
        String first = rest.getFirst();
        List<String> others = rest.subList(1, rest.size());
        for (List<String> mates : combinations(others, k - 1)) {
            List<String> group = new ArrayList<>();
            group.add(first);
            group.addAll(mates);
            List<String> remaining = new ArrayList<>(others);
            mates.forEach(remaining::remove);
            acc.add(group);
            split(remaining, k, acc, out);
            acc.removeLast();
        }
    }

    private static List<List<String>> combinations(List<String> items, int r) {
        List<List<String>> out = new ArrayList<>();
        combine(items, r, 0, new ArrayList<>(), out);
        return out;
    }

    private static void combine(List<String> items, int r, int from, List<String> acc, List<List<String>> out) {
        if (acc.size() == r) {
            out.add(new ArrayList<>(acc));
            return;
        }
        for (int i = from; i < items.size(); i++) {
            acc.add(items.get(i));
            combine(items, r, i + 1, acc, out);
            acc.removeLast();
        }
    }
}
