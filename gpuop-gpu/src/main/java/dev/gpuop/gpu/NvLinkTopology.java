package dev.gpuop.gpu;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns each GPU's active NVLinks (the PCI bus id at the far end of each link) into GPU-to-GPU peers. A link whose
 * far end is another GPU is a direct link; a link to anything else is an NVSwitch port, and GPUs on the same switch
 * fabric reach each other through it (an HGX H100 has no direct GPU links at all, only 18 switch links per GPU).
 */
public final class NvLinkTopology {

    /**
     * One GPU's active links.
     *
     * @param index NVML index
     * @param uuid GPU UUID
     * @param busId the GPU's own PCI bus id
     * @param remoteBusIds the bus id at the far end of each active link, one entry per link
     */
    public record GpuLinks(int index, String uuid, String busId, List<String> remoteBusIds) {
    }

    private NvLinkTopology() {
    }

    /** The peers of every GPU, keyed by NVML index, each list ordered by peer index. */
    public static Map<Integer, List<NvLinkPeer>> peers(List<GpuLinks> gpus) {
        Map<String, GpuLinks> byBus = new HashMap<>();
        for (GpuLinks g : gpus) {
            byBus.put(normalize(g.busId()), g);
        }
        Map<Integer, Map<Integer, Integer>> direct = new HashMap<>();
        Map<Integer, Integer> switchLinks = new HashMap<>();
        for (GpuLinks g : gpus) {
            for (String remote : g.remoteBusIds()) {
                GpuLinks peer = byBus.get(normalize(remote));
                if (peer == null) {
                    switchLinks.merge(g.index(), 1, Integer::sum);
                } else if (peer.index() != g.index()) {
                    direct.computeIfAbsent(g.index(), k -> new HashMap<>()).merge(peer.index(), 1, Integer::sum);
                }
            }
        }
        Map<Integer, List<NvLinkPeer>> result = new LinkedHashMap<>();
        for (GpuLinks g : gpus) {
            List<NvLinkPeer> list = new ArrayList<>();
            for (GpuLinks other : gpus) {
                if (other.index() == g.index()) {
                    continue;
                }
                int links = direct.getOrDefault(g.index(), Map.of()).getOrDefault(other.index(), 0);
                int viaSwitch = Math.min(switchLinks.getOrDefault(g.index(), 0),
                    switchLinks.getOrDefault(other.index(), 0));
                if (links + viaSwitch > 0) {
                    list.add(new NvLinkPeer(other.index(), other.uuid(), links + viaSwitch));
                }
            }
            result.put(g.index(), List.copyOf(list));
        }
        return result;
    }

    /** NVML gives {@code 00000000:18:00.0}, sysfs {@code 0000:18:00.0}: compare the last 3 parts, upper case. */
    static String normalize(String busId) {
        String s = busId.trim().toUpperCase(Locale.ROOT);
        int colon = s.indexOf(':');
        return colon >= 0 && s.indexOf(':', colon + 1) >= 0 ? s.substring(colon + 1) : s;
    }
}
