package dev.gpuop.node.deviceplugin.model;

import java.util.List;
import java.util.Locale;

/**
 * One extended resource the plugin advertises, with its devices.
 *
 * @param name e.g. {@code nvidia.com/gpu}, {@code nvidia.com/mig-1g.10gb}, {@code nvidia.com/gpu.shared}
 * @param devices the kubelet's devices
 * @param replicated true when devices are replicas (time-slicing or MPS)
 * @param failRequestsGreaterThanOne refuse a request of more than one replica
 * @param replicas replicas per physical device (1 when not shared)
 * @param mps true when the replicas share their GPU through an MPS control daemon
 */
public record ResourceSpec(String name, List<PluginDevice> devices, boolean replicated,
                           boolean failRequestsGreaterThanOne, int replicas, boolean mps) {

    public ResourceSpec {
        devices = List.copyOf(devices);
    }

    /** The stem of the socket file name, e.g. {@code gpuop-gpu.sock}; each server start adds a random part to it. */
    public String socketName() {
        return "gpuop-" + name.substring(name.indexOf('/') + 1).toLowerCase(Locale.ROOT) + ".sock";
    }

    /** The physical devices behind the kubelet's devices, each once, in order. */
    public List<PhysicalDevice> physicalDevices() {
        return devices.stream().map(PluginDevice::physical).distinct().toList();
    }
}
