package dev.gpuop.operator.model;

/** What the node agent reported about the node's NVIDIA driver. */
public enum DriverState {
    /** The host's own driver is loaded: gpuop's driver container must never run there (the seed's reboot loop). */
    PREINSTALLED,
    /** No host driver: gpuop's driver container may install one. */
    ABSENT,
    /** The node agent has not reported yet. */
    UNKNOWN
}
