package dev.gpuop.node.agent;

import dev.gpuop.node.deviceplugin.config.DevicePluginConfigs;
import dev.gpuop.node.deviceplugin.config.InvalidConfigException;
import dev.gpuop.node.deviceplugin.server.DevicePluginManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Re-reads the device plugin config file when its content changes. A ConfigMap mount changes by swapping a
 * symlink, which file watches miss, so this compares content every few seconds. A config that does not parse or
 * cannot be honoured is logged and counted, and the plugin keeps the last good one.
 */
final class DevicePluginConfigWatch implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(DevicePluginConfigWatch.class.getName());
    private static final long PERIOD_MILLIS = 5_000;

    private final Path file;
    private final Map<String, String> env;
    private final DevicePluginManager plugin;
    private String lastText;
    private Thread thread;

    DevicePluginConfigWatch(Path file, Map<String, String> env, DevicePluginManager plugin) {
        this.file = file;
        this.env = env;
        this.plugin = plugin;
        this.lastText = read();
    }

    void start() {
        thread = Thread.ofPlatform().daemon().name("gpuop-config-watch").start(() -> {
            try {
                while (true) {
                    Thread.sleep(PERIOD_MILLIS);
                    checkNow();
                }
            } catch (InterruptedException e) {
                // stopping
            }
        });
    }

    /** Applies the file if it changed since the last look; returns the error when it was refused. */
    synchronized String checkNow() {
        String text = read();
        if (text == null || text.equals(lastText)) {
            return null;
        }
        lastText = text;
        try {
            return plugin.apply(DevicePluginConfigs.parse(text, file.toString(), env)).orElse(null);
        } catch (InvalidConfigException e) {
            String msg = "device plugin config refused, still serving the previous one: " + e.getMessage();
            LOG.log(System.Logger.Level.WARNING, msg);
            return msg;
        }
    }

    private String read() {
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
