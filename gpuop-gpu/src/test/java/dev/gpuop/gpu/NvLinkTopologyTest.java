package dev.gpuop.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NvLinkTopologyTest {

    @Test
    void directLinksAreCountedPerPeer() {
        // 4 GPUs in a ring with 2 links between neighbours (NVLink bridge style); 0 and 2 are not linked.
        List<NvLinkTopology.GpuLinks> gpus = List.of(
            links(0, "00000000:01:00.0", "0000:02:00.0", "0000:02:00.0", "0000:04:00.0", "0000:04:00.0"),
            links(1, "00000000:02:00.0", "0000:01:00.0", "0000:01:00.0", "0000:03:00.0", "0000:03:00.0"),
            links(2, "00000000:03:00.0", "0000:02:00.0", "0000:02:00.0", "0000:04:00.0", "0000:04:00.0"),
            links(3, "00000000:04:00.0", "0000:03:00.0", "0000:03:00.0", "0000:01:00.0", "0000:01:00.0"));
        Map<Integer, List<NvLinkPeer>> peers = NvLinkTopology.peers(gpus);
        assertThat(peers.get(0)).containsExactly(new NvLinkPeer(1, "uuid-1", 2), new NvLinkPeer(3, "uuid-3", 2));
        assertThat(peers.get(1)).extracting(NvLinkPeer::peerIndex).containsExactly(0, 2);
    }

    @Test
    void gpusOnOneSwitchFabricArePeersWithTheFewerLinks() {
        List<String> switches18 = Collections.nCopies(18, "00000000:05:00.0");
        List<String> switches12 = Collections.nCopies(12, "00000000:06:00.0");
        List<NvLinkTopology.GpuLinks> gpus = List.of(
            new NvLinkTopology.GpuLinks(0, "uuid-0", "00000000:18:00.0", switches18),
            new NvLinkTopology.GpuLinks(1, "uuid-1", "00000000:2A:00.0", switches18),
            new NvLinkTopology.GpuLinks(2, "uuid-2", "00000000:3A:00.0", switches12),
            new NvLinkTopology.GpuLinks(3, "uuid-3", "00000000:5D:00.0", List.of()));
        Map<Integer, List<NvLinkPeer>> peers = NvLinkTopology.peers(gpus);
        assertThat(peers.get(0)).containsExactly(new NvLinkPeer(1, "uuid-1", 18), new NvLinkPeer(2, "uuid-2", 12));
        assertThat(peers.get(3)).isEmpty();
    }

    @Test
    void busIdsCompareAcrossNvmlAndSysfsForms() {
        assertThat(NvLinkTopology.normalize("00000000:2a:00.0")).isEqualTo(NvLinkTopology.normalize("0000:2A:00.0"));
        assertThat(NvLinkTopology.normalize("00000000:2a:00.0")).isEqualTo("2A:00.0");
    }

    private static NvLinkTopology.GpuLinks links(int index, String bus, String... remotes) {
        return new NvLinkTopology.GpuLinks(index, "uuid-" + index, bus, List.of(remotes));
    }
}
