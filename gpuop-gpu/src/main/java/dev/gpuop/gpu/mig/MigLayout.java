package dev.gpuop.gpu.mig;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a set of GPU instances ({@code 3g.71gb: 1, 2g.35gb: 2}) fits one GPU as NVML would create them: each
 * instance at one of its profile's placements, no two on the same memory slice, no more of a profile than it
 * allows, one set of media engines, compute slices within the GPU's. The search tries the large instances first
 * and backtracks; a GPU has at most 7 instances, so it is instant.
 */
public final class MigLayout {

    /** One instance placed: its profile and the memory slice it starts at. */
    public record Placement(MigProfile profile, int start) {
    }

    private MigLayout() {
    }

    /**
     * Places the instances, or says why they cannot be placed.
     *
     * @param offered the GPU's profiles ({@link MigProfileTable#forGpu})
     * @param wanted  profile name to count, in the config's order
     * @return the placements, or a problem naming the profile or the sum that does not fit
     */
    public static Result place(List<MigProfile> offered, Map<String, Integer> wanted) {
        Map<String, MigProfile> byName = new LinkedHashMap<>();
        offered.forEach(p -> byName.put(p.name(), p));
        List<MigProfile> instances = new ArrayList<>();
        int compute = 0;
        int media = 0;
        for (Map.Entry<String, Integer> w : wanted.entrySet()) {
            MigProfile p = byName.get(w.getKey());
            if (p == null) {
                return Result.refused(w.getKey(), "this GPU offers no MIG profile " + w.getKey() + "; it offers "
                    + String.join(", ", byName.keySet()));
            }
            if (w.getValue() > p.maxInstances()) {
                return Result.refused(w.getKey(), w.getValue() + " instances of " + p.name() + " asked; the GPU "
                    + "holds at most " + p.maxInstances());
            }
            for (int i = 0; i < w.getValue(); i++) {
                instances.add(p);
            }
            compute += p.computeSlices() * w.getValue();
            media += p.mediaExtensions() ? w.getValue() : 0;
        }
        int computeSlices = MigProfileTable.computeSlicesOf(offered);
        if (compute > computeSlices) {
            return Result.refused(null, "the instances take " + compute + " compute slices; the GPU has "
                + computeSlices);
        }
        if (media > 1) {
            return Result.refused(null, media + " instances with media extensions (+me) asked; the GPU has one "
                + "set of media engines");
        }
        instances.sort(Comparator.comparingInt(MigProfile::memorySlices).reversed()
            .thenComparing(p -> p.placementStarts().size()));
        boolean[] used = new boolean[MigProfileTable.memorySlicesOf(offered)];
        List<Placement> placed = new ArrayList<>();
        if (!search(instances, 0, used, placed)) {
            return Result.refused(null, "no placement of these instances fits the GPU's "
                + used.length + " memory slices");
        }
        return new Result(placed, Optional.empty(), Optional.empty());
    }

    private static boolean search(List<MigProfile> instances, int next, boolean[] used, List<Placement> placed) {
        if (next == instances.size()) {
            return true;
        }
        MigProfile p = instances.get(next);
        for (int start : p.placementStarts()) {
            if (free(used, start, p.memorySlices())) {
                mark(used, start, p.memorySlices(), true);
                placed.add(new Placement(p, start));
                if (search(instances, next + 1, used, placed)) {
                    return true;
                }
                placed.removeLast();
                mark(used, start, p.memorySlices(), false);
            }
        }
        return false;
    }

    private static boolean free(boolean[] used, int start, int size) {
        if (start + size > used.length) {
            return false;
        }
        for (int i = start; i < start + size; i++) {
            if (used[i]) {
                return false;
            }
        }
        return true;
    }

    private static void mark(boolean[] used, int start, int size, boolean value) {
        for (int i = start; i < start + size; i++) {
            used[i] = value;
        }
    }

    /**
     * The placements when the instances fit, else the profile at fault (empty when it is their sum) and why.
     *
     * @param placements the instances, each with its start, when they fit
     * @param profile    the profile a refusal is about, when it is one profile
     * @param problem    why they do not fit
     */
    public record Result(List<Placement> placements, Optional<String> profile, Optional<String> problem) {

        static Result refused(String profile, String problem) {
            return new Result(List.of(), Optional.ofNullable(profile), Optional.of(problem));
        }

        /** True when every instance has a place. */
        public boolean fits() {
            return problem.isEmpty();
        }
    }
}
