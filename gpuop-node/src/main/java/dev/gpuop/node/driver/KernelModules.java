package dev.gpuop.node.driver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The loaded kernel modules, as {@code /proc/modules} lists them: name, reference count, users. */
public final class KernelModules {

    /** NVIDIA's modules in the order they unload (users before the module they use). */
    public static final List<String> NVIDIA_UNLOAD_ORDER = List.of("nvidia_peermem", "nvidia_fs", "gdrdrv",
        "nvidia_uvm", "nvidia_drm", "nvidia_modeset", "nvidia");

    /** One loaded module. */
    public record Module(String name, int references, List<String> usedBy) {
    }

    private KernelModules() {
    }

    /** The modules {@code modules} (a {@code /proc/modules}) lists, by name; none when it cannot be read. */
    public static Map<String, Module> read(Path modules) {
        Map<String, Module> loaded = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(modules)) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 4) {
                    List<String> users = f[3].equals("-") ? List.of()
                        : List.of(f[3].replaceAll(",$", "").split(","));
                    loaded.put(f[0], new Module(f[0], parse(f[2]), users));
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return loaded;
    }

    /** NVIDIA's modules among {@code loaded}, in unload order. */
    public static List<Module> nvidia(Map<String, Module> loaded) {
        return NVIDIA_UNLOAD_ORDER.stream().filter(loaded::containsKey).map(loaded::get).toList();
    }

    private static int parse(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
