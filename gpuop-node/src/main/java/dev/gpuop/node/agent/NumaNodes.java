package dev.gpuop.node.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** A GPU's NUMA node from sysfs, as the kubelet's topology manager wants it; -1 when the platform has none. */
final class NumaNodes {

    private NumaNodes() {
    }

    /** NVML's bus id {@code 00000000:18:00.0} is sysfs's {@code 0000:18:00.0}, lower case. */
    static int of(Path root, String nvmlBusId) {
        String id = nvmlBusId.toLowerCase(Locale.ROOT);
        if (id.length() > 12 && id.indexOf(':') == 8) {
            id = id.substring(4);
        }
        try {
            int n = Integer.parseInt(Files.readString(root.resolve("sys/bus/pci/devices").resolve(id)
                .resolve("numa_node")).trim());
            return Math.max(n, -1);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
