package dev.gpuop.node.deviceplugin.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.gpuop.node.agent.JsonFieldErrors;
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
            // a value of the wrong type is named by its field path, as the rules below name theirs; Jackson's own
            // message names Java classes and Jackson's settings instead
            String field = e instanceof JsonMappingException m && !m.getPath().isEmpty()
                ? JsonFieldErrors.describe(e) : null;
            String line = e.getLocation() == null || e.getLocation().getLineNr() < 1 ? ""
                : " (line " + e.getLocation().getLineNr() + ")";
            String problem = field != null ? field + line : e instanceof JsonMappingException
                ? "not a device plugin config: expected a mapping with `version: v1` at the top" + line
                : "not a device plugin config: " + JsonFieldErrors.syntax(e);
            throw new InvalidConfigException(source + ": " + problem, e);
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
