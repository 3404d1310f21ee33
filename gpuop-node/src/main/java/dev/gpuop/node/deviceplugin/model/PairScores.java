package dev.gpuop.node.deviceplugin.model;

import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuInfo;
import dev.gpuop.gpu.NvLinkPeer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How well two GPUs work together, on the scale of NVIDIA's allocator: 100 per NVLink between them, plus 20 when
 * they share a NUMA node (NVIDIA's "same CPU") and 10 otherwise. NVML's PCIe topology levels above NUMA are not read
 * (yet), so two GPUs on one PCIe switch score as two on one CPU.
 */
public final class PairScores {

    private final Map<String, Map<String, Integer>> links = new HashMap<>();
    private final Map<String, Integer> numa = new HashMap<>();

    private PairScores() {
    }

    /** Scores for the GPUs of a host, given each GPU's NUMA node by UUID. */
    public static PairScores of(List<Gpu> gpus, Map<String, Integer> numaByUuid) {
        PairScores s = new PairScores();
        for (Gpu g : gpus) {
            GpuInfo i = g.info();
            Map<String, Integer> peers = new HashMap<>();
            for (NvLinkPeer p : i.nvLinkPeers()) {
                peers.put(p.peerUuid(), p.links());
            }
            s.links.put(i.uuid(), peers);
            s.numa.put(i.uuid(), numaByUuid.getOrDefault(i.uuid(), -1));
        }
        return s;
    }

    /** The score of two full GPUs by UUID; 0 for the same GPU. */
    public int score(String gpuA, String gpuB) {
        if (gpuA.equals(gpuB)) {
            return 0;
        }
        int nvlinks = links.getOrDefault(gpuA, Map.of()).getOrDefault(gpuB, 0);
        int na = numa.getOrDefault(gpuA, -1);
        int nb = numa.getOrDefault(gpuB, -1);
        return 100 * nvlinks + (na >= 0 && na == nb ? 20 : 10);
    }
}
