package dev.gpuop.node.deviceplugin.health;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which XIDs make a GPU unhealthy, with NVIDIA's defaults and overrides so that a node tuned for NVIDIA's plugin
 * behaves the same: XIDs 13, 31, 43, 45, 68 and 109 are application errors and ignored;
 * {@code DP_DISABLE_HEALTHCHECKS} adds ignored XIDs ({@code all} or {@code xids}: every XID);
 * {@code DP_ENABLE_HEALTHCHECKS} forces XIDs fatal, over both ({@code all}: every XID).
 */
public final class XidPolicy {

    /** NVIDIA's default application-level XIDs. */
    public static final Set<Long> DEFAULT_IGNORED = Set.of(13L, 31L, 43L, 45L, 68L, 109L);

    private final boolean allDisabled;
    private final boolean allEnabled;
    private final Set<Long> ignored;
    private final Set<Long> forced;

    private XidPolicy(boolean allDisabled, boolean allEnabled, Set<Long> ignored, Set<Long> forced) {
        this.allDisabled = allDisabled;
        this.allEnabled = allEnabled;
        this.ignored = Set.copyOf(ignored);
        this.forced = Set.copyOf(forced);
    }

    /** The policy the environment asks for (unknown words in the lists are ignored, as NVIDIA does). */
    public static XidPolicy fromEnv(Map<String, String> env) {
        Set<Long> ignored = new TreeSet<>(DEFAULT_IGNORED);
        Set<Long> forced = new TreeSet<>();
        boolean allDisabled = false;
        boolean allEnabled = false;
        for (String word : words(env.get("DP_DISABLE_HEALTHCHECKS"))) {
            if (word.equals("all") || word.equals("xids")) {
                allDisabled = true;
            } else {
                parse(word, ignored);
            }
        }
        for (String word : words(env.get("DP_ENABLE_HEALTHCHECKS"))) {
            if (word.equals("all")) {
                allEnabled = true;
            } else {
                parse(word, forced);
            }
        }
        return new XidPolicy(allDisabled, allEnabled, ignored, forced);
    }

    /** True when this XID marks its GPU unhealthy. */
    public boolean isFatal(long xid) {
        if (allEnabled || forced.contains(xid)) {
            return true;
        }
        return !allDisabled && !ignored.contains(xid);
    }

    /** False when no XID can ever be fatal: then no event watch is needed. */
    public boolean watchesXids() {
        return allEnabled || !forced.isEmpty() || !allDisabled;
    }

    private static String[] words(String list) {
        return list == null || list.isBlank() ? new String[0] : list.toLowerCase(Locale.ROOT).split("\\s*,\\s*");
    }

    private static void parse(String word, Set<Long> into) {
        try {
            into.add(Long.parseLong(word.trim()));
        } catch (NumberFormatException ignored) {
            // NVIDIA's plugin skips junk in these lists; so do we
        }
    }
}
