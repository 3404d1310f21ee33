package dev.gpuop.node.agent;

import dev.gpuop.node.deviceplugin.config.DevicePluginConfigs;
import dev.gpuop.node.deviceplugin.config.InvalidConfigException;
import dev.gpuop.node.deviceplugin.server.DevicePluginManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Keeps the device plugin on the config this node should have: NVIDIA's per-node label
 * {@code nvidia.com/device-plugin.config} names a key of the mounted ConfigMap, else the policy's
 * {@code devicePlugin.config.default} file is used. Re-reads the chosen file when its content changes (a ConfigMap
 * mount changes by swapping a symlink, which file watches miss, so content is compared every few seconds) and at
 * once when the label changes. Switching is live: the plugin re-advertises its devices, the agent keeps running. A
 * config that does not parse or cannot be honoured, or a label naming no key, is logged and kept as the problem, and
 * the plugin keeps the last good config (NVIDIA's config manager fails the plugin's start instead).
 */
final class DevicePluginConfigWatch implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(DevicePluginConfigWatch.class.getName());
    /** NVIDIA's node label that picks a device plugin config by name. */
    static final String CONFIG_LABEL = "nvidia.com/device-plugin.config";
    private static final long PERIOD_MILLIS = 5_000;

    private final Path defaultFile;
    private final Supplier<Map<String, String>> nodeLabels;
    private final Map<String, String> env;
    private final DevicePluginManager plugin;
    private Path lastFile;
    private String lastText;
    private volatile String problem;
    private Thread thread;

    /**
     * @param defaultFile the default config's file, in the directory where the ConfigMap's keys are files
     * @param nodeLabels this node's labels (null or empty when unknown)
     */
    DevicePluginConfigWatch(Path defaultFile, Supplier<Map<String, String>> nodeLabels, Map<String, String> env,
                            DevicePluginManager plugin) {
        this.defaultFile = defaultFile;
        this.nodeLabels = nodeLabels;
        this.env = env;
        this.plugin = plugin;
        this.lastFile = defaultFile;
        this.lastText = read(defaultFile);
    }

    void start() {
        thread = Thread.ofPlatform().daemon().name("gpuop-config-watch").start(() -> {
            try {
                while (true) {
                    checkNow();
                    Thread.sleep(PERIOD_MILLIS);
                }
            } catch (InterruptedException e) {
                // stopping
            }
        });
    }

    /** The file this node should use now: the label's key when it names one, else the default. */
    Path selected() {
        Map<String, String> labels = nodeLabels.get();
        String name = labels == null ? null : labels.get(CONFIG_LABEL);
        if (name == null || name.isBlank()) {
            return defaultFile;
        }
        return defaultFile.resolveSibling(name);
    }

    /** Why the node is not on the config it asks for, or null. */
    String problem() {
        return problem;
    }

    /** Applies the chosen file if it or its content changed since the last look; returns the error when refused. */
    synchronized String checkNow() {
        Path file = selected();
        String text = read(file);
        if (text == null) {
            return fail(CONFIG_LABEL + "=" + file.getFileName() + " names no config of the device plugin's "
                + "ConfigMap (it has: " + String.join(", ", keys()) + "); still serving " + lastFile.getFileName());
        }
        if (file.equals(lastFile) && text.equals(lastText)) {
            return problem;
        }
        lastFile = file;
        lastText = text;
        try {
            String refused = plugin.apply(DevicePluginConfigs.parse(text, file.toString(), env)).orElse(null);
            if (refused == null) {
                LOG.log(System.Logger.Level.INFO, "device plugin config {0} in use", file.getFileName());
            }
            problem = refused;
            return refused;
        } catch (InvalidConfigException e) {
            return fail("device plugin config refused, still serving the previous one: " + e.getMessage());
        }
    }

    private String fail(String msg) {
        if (!msg.equals(problem)) {
            LOG.log(System.Logger.Level.WARNING, msg);
        }
        problem = msg;
        return msg;
    }

    /** The ConfigMap's keys: the files of its mount, without the mount's own {@code ..data} entries. */
    private List<String> keys() {
        try (Stream<Path> files = Files.list(defaultFile.getParent())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("..")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        if (thread != null) {
            thread.interrupt();
        }
    }
}
