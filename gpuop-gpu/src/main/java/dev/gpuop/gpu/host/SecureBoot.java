package dev.gpuop.gpu.host;

/** UEFI Secure Boot state: when enabled, an unsigned NVIDIA kernel module will not load. */
public enum SecureBoot {
    ENABLED, DISABLED, UNKNOWN
}
