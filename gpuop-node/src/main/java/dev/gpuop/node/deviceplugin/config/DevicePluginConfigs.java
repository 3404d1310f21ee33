package dev.gpuop.node.deviceplugin.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Reads a device plugin config file (YAML or JSON, NVIDIA's format v1) into validated settings. */
public final class DevicePluginConfigs {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private DevicePluginConfigs() {
    }

    /**
     * Parses a config document; YAML is a superset of JSON, so one parser reads both.
     *
     * @param source what to name in errors (a file path, or a ConfigMap key)
     */
    public static DevicePluginSettings parse(String text, String source, Map<String, String> env) {
        PluginConfigFile file;
        try {
            file = text == null || text.isBlank() ? new PluginConfigFile(null, null, null)
                : YAML.readValue(text, PluginConfigFile.class);
        } catch (JsonProcessingException e) {
            throw new InvalidConfigException(source + ": not a device plugin config: " + e.getOriginalMessage()
                + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
        }
        try {
            return DevicePluginSettings.from(file == null ? new PluginConfigFile(null, null, null) : file, env);
        } catch (InvalidConfigException e) {
            throw new InvalidConfigException(source + ": " + e.getMessage(), e);
        }
    }

    /** Reads and parses a file. */
    public static DevicePluginSettings load(Path file, Map<String, String> env) {
        try {
            return parse(Files.readString(file), file.toString(), env);
        } catch (IOException e) {
            throw new InvalidConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
