package dev.gpuop.node.deviceplugin.config;

/** How MIG devices are advertised: not at all, as {@code nvidia.com/gpu}, or one resource per profile. */
public enum MigStrategy { NONE, SINGLE, MIXED }
