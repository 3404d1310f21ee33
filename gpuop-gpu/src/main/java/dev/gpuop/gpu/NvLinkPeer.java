package dev.gpuop.gpu;

/**
 * Another GPU of this host that this GPU reaches over NVLink, directly or through NVSwitches.
 *
 * @param peerIndex the peer's NVML index
 * @param peerUuid the peer's UUID
 * @param links the number of active links that reach the peer (for a switch fabric: the fewer of both sides')
 */
public record NvLinkPeer(int peerIndex, String peerUuid, int links) {
}
