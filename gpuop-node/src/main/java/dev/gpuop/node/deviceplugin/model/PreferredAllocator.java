package dev.gpuop.node.deviceplugin.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The answer to {@code GetPreferredAllocation}: which devices of those available to give a container.
 * Full GPUs: NVIDIA's best-effort policy: of every way to split the available GPUs into groups of the asked size,
 * take the split whose groups score highest in total (so that what is left stays well connected too), then its best
 * group that holds the required devices. Replicas and MIG devices: spread over physical GPUs ("distributed").
 * The kubelet takes the answer as a hint only.
 */
public final class PreferredAllocator {

    /** Above this many candidates the exhaustive split search is too slow; a greedy pick is used instead. */
    static final int MAX_EXHAUSTIVE = 12;

    private final ResourceSpec resource;
    private final PairScores scores;
    private final Map<String, PluginDevice> byId = new HashMap<>();

    public PreferredAllocator(ResourceSpec resource, PairScores scores) {
        this.resource = resource;
        this.scores = scores;
        resource.devices().forEach(d -> byId.put(d.id(), d));
    }

    /** The preferred device IDs. */
    public List<String> prefer(List<String> available, List<String> mustInclude, int size) {
        if (size > available.size()) {
            throw new AllocationException("asked for " + size + " of " + resource.name() + " but only "
                + available.size() + " are available");
        }
        for (String id : concat(available, mustInclude)) {
            if (!byId.containsKey(id)) {
                throw new AllocationException("unknown device " + id + " for " + resource.name());
            }
        }
        boolean fullGpus = available.stream().map(byId::get).noneMatch(d -> d.isReplica() || d.physical().isMig());
        if (fullGpus && available.size() <= MAX_EXHAUSTIVE) {
            return bestEffort(available, mustInclude, size);
        }
        return distributed(available, mustInclude, size);
    }

    private List<String> bestEffort(List<String> available, List<String> required, int size) {
        List<String> items = new ArrayList<>(available);
        while (items.size() % size != 0) {
            items.add(null); // padding: a split may leave a group short
        }
        List<List<String>> best = null;
        int bestScore = Integer.MIN_VALUE;
        for (List<List<String>> split : Partitions.of(items, size)) {
            if (split.stream().noneMatch(g -> g.containsAll(required))) {
                continue;
            }
            int total = split.stream().mapToInt(this::groupScore).sum();
            if (total > bestScore) {
                best = split;
                bestScore = total;
            }
        }
        List<List<String>> chosen = best;
        return chosen.stream().filter(g -> g.containsAll(required) && !g.contains(null))
            .max(Comparator.comparingInt(this::groupScore))
            .orElseGet(() -> chosen.stream().filter(g -> g.containsAll(required)).findFirst().orElseThrow()
                .stream().filter(java.util.Objects::nonNull).toList());
    }

    private int groupScore(List<String> group) {
        int s = 0;
        for (int i = 0; i < group.size(); i++) {
            for (int j = i + 1; j < group.size(); j++) {
                if (group.get(i) != null && group.get(j) != null) {
                    s += scores.score(byId.get(group.get(i)).physical().gpuUuid(),
                        byId.get(group.get(j)).physical().gpuUuid());
                }
            }
        }
        return s;
    }

    /** Required first, then the candidate on the physical GPU with the fewest devices already in use. */
    private List<String> distributed(List<String> available, List<String> required, int size) {
        Map<String, Integer> inUse = new HashMap<>();
        Set<String> free = new LinkedHashSet<>(available);
        for (PluginDevice d : resource.devices()) {
            if (!free.contains(d.id())) {
                inUse.merge(d.physical().uuid(), 1, Integer::sum);
            }
        }
        List<String> picked = new ArrayList<>(required);
        Map<String, Integer> pickedPer = new HashMap<>();
        required.forEach(id -> pickedPer.merge(byId.get(id).physical().uuid(), 1, Integer::sum));
        List<String> candidates = new ArrayList<>(available);
        candidates.removeAll(required);
        while (picked.size() < size) {
            String next = candidates.stream().min(Comparator
                .comparingInt((String id) -> inUse.getOrDefault(byId.get(id).physical().uuid(), 0))
                .thenComparingInt(id -> pickedPer.getOrDefault(byId.get(id).physical().uuid(), 0)))
                .orElseThrow(() -> new AllocationException("not enough devices of " + resource.name()));
            candidates.remove(next);
            picked.add(next);
            pickedPer.merge(byId.get(next).physical().uuid(), 1, Integer::sum);
        }
        return picked;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
