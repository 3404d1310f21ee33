package dev.gpuop.node.mig;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.gpuop.node.agent.JsonFieldErrors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * NVIDIA's mig-parted config ({@code version: v1}, named layouts under {@code mig-configs}), the format of the
 * {@code default-mig-parted-config} ConfigMap and of a user's, so that a file written for NVIDIA's MIG manager
 * works unchanged. Read as a tree rather than bound to classes: its keys have dashes, {@code devices} is
 * {@code all} or a list and {@code device-filter} one id or a list, and every refusal names the field's path.
 *
 * @param version {@code v1}
 * @param configs the layouts by name, each a list of entries that select GPUs
 */
public record MigPartedConfig(String version, Map<String, List<Entry>> configs) {

    /**
     * One entry of a layout: the GPUs it selects and what they become.
     *
     * @param devices      the GPU indexes it selects; empty for {@code all}
     * @param deviceFilter PCI device ids ({@code 0x233510DE}: device in the high 16 bits, vendor in the low) it is
     *                     limited to; empty for any
     * @param migEnabled   MIG mode for the selected GPUs
     * @param migDevices   GPU-instance profile name to count, in the file's order
     */
    public record Entry(Optional<List<Integer>> devices, List<Integer> deviceFilter, boolean migEnabled,
                        Map<String, Integer> migDevices) {

        public Entry {
            devices = devices.map(List::copyOf);
            deviceFilter = List.copyOf(deviceFilter);
            migDevices = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(migDevices));
        }

        /** True when this entry selects the GPU with this index and PCI device id. */
        public boolean selects(int index, int pciDeviceId) {
            return devices.map(d -> d.contains(index)).orElse(true)
                && (deviceFilter.isEmpty() || deviceFilter.contains(pciDeviceId));
        }
    }

    private static final YAMLMapper YAML = YAMLMapper.builder()
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
    /** {@code 3g.71gb}, {@code 1c.3g.71gb}, {@code 1g.18gb+me}, as mig-parted spells them. */
    private static final Pattern PROFILE = Pattern.compile("(\\d+c\\.)?\\d+g\\.\\d+gb(\\+me|\\+me\\.all|\\+gfx|-me)?");
    private static final Pattern DEVICE_ID = Pattern.compile("0[xX][0-9a-fA-F]{8}");
    private static final Set<String> TOP = Set.of("version", "mig-configs");
    private static final Set<String> ENTRY = Set.of("device-filter", "devices", "mig-enabled", "mig-devices");
    private static final int NVIDIA_VENDOR = 0x10DE;
    /** More GPUs than any server holds: an index past it is a typo. */
    static final int MAX_INDEX = 63;

    public MigPartedConfig {
        configs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(configs));
    }

    /**
     * Reads and checks a config.
     *
     * @param source where it came from, for the messages ({@code ConfigMap gpu-operator/default-mig-parted-config})
     * @throws InvalidMigConfigException naming the source, the field and what is allowed
     */
    public static MigPartedConfig parse(String text, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidMigConfigException(source + ": not YAML: " + JsonFieldErrors.syntax(e));
        }
        Reader r = new Reader(source);
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw r.refuse("(the document)", "empty; expected version: v1 and mig-configs");
        }
        r.mapping(root, "(the document)", TOP);
        JsonNode version = root.get("version");
        if (version == null || !version.isTextual() || !version.asText().equals("v1")) {
            throw r.refuse("version", (version == null ? "missing" : "'" + r.shown(version) + "'")
                + "; the only version is v1");
        }
        JsonNode configs = root.get("mig-configs");
        if (configs == null || configs.isNull()) {
            throw r.refuse("mig-configs", "missing; expected a mapping of layout names to lists of entries");
        }
        r.mapping(configs, "mig-configs", null);
        if (configs.isEmpty()) {
            throw r.refuse("mig-configs", "empty; name at least one layout");
        }
        Map<String, List<Entry>> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> c : configs.properties()) {
            String at = "mig-configs." + c.getKey();
            if (c.getKey().isBlank()) {
                throw r.refuse(at, "a layout needs a name");
            }
            JsonNode list = c.getValue();
            if (list == null || !list.isArray() || list.isEmpty()) {
                throw r.refuse(at, "expected a list of entries (devices, mig-enabled, mig-devices)");
            }
            List<Entry> entries = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                entries.add(r.entry(list.get(i), at + "[" + i + "]"));
            }
            out.put(c.getKey(), entries);
        }
        return new MigPartedConfig("v1", out);
    }

    /** The layout named by a node's {@code nvidia.com/mig.config} label. */
    public List<Entry> layout(String name, String source) {
        List<Entry> entries = configs.get(name);
        if (entries == null) {
            throw new InvalidMigConfigException("nvidia.com/mig.config=" + JsonFieldErrors.printable(name)
                + ": no such layout in " + source + "; it has " + String.join(", ", new TreeSet<>(configs.keySet())));
        }
        return entries;
    }

    /** The tree walk, with the source for messages. */
    private record Reader(String source) {

        InvalidMigConfigException refuse(String path, String problem) {
            return new InvalidMigConfigException(source + ": " + JsonFieldErrors.printable(path) + ": " + problem);
        }

        String shown(JsonNode n) {
            String s = n.isTextual() ? n.asText() : n.toString();
            return JsonFieldErrors.printable(s.length() > 60 ? s.substring(0, 60) + "..." : s);
        }

        void mapping(JsonNode n, String path, Set<String> allowed) {
            if (!n.isObject()) {
                throw refuse(path, "expected a mapping, got " + kind(n));
            }
            if (allowed != null) {
                for (Map.Entry<String, JsonNode> field : n.properties()) {
                    String key = field.getKey();
                    if (!allowed.contains(key)) {
                        throw refuse(path.equals("(the document)") ? key : path + "." + key,
                            "unknown field; allowed: " + String.join(", ", new TreeSet<>(allowed)));
                    }
                }
            }
        }

        Entry entry(JsonNode n, String at) {
            if (n == null || n.isNull()) {
                throw refuse(at, "empty entry; expected devices, mig-enabled and mig-devices");
            }
            mapping(n, at, ENTRY);
            Optional<List<Integer>> devices = devices(n.get("devices"), at + ".devices");
            List<Integer> filter = filter(n.get("device-filter"), at + ".device-filter");
            JsonNode enabled = n.get("mig-enabled");
            if (enabled == null || !enabled.isBoolean()) {
                throw refuse(at + ".mig-enabled", (enabled == null ? "missing" : kind(enabled)) + "; expected true "
                    + "or false");
            }
            Map<String, Integer> migDevices = migDevices(n.get("mig-devices"), at + ".mig-devices");
            if (!enabled.booleanValue() && !migDevices.isEmpty()) {
                throw refuse(at + ".mig-devices", "MIG devices asked with mig-enabled: false");
            }
            return new Entry(devices, filter, enabled.booleanValue(), migDevices);
        }

        Optional<List<Integer>> devices(JsonNode n, String at) {
            if (n == null) {
                throw refuse(at, "missing; expected all or a list of GPU indexes");
            }
            if (n.isTextual() && n.asText().equals("all")) {
                return Optional.empty();
            }
            if (!n.isArray() || n.isEmpty()) {
                throw refuse(at, "expected all or a list of GPU indexes, got " + kind(n));
            }
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < n.size(); i++) {
                JsonNode d = n.get(i);
                if (!d.isInt() || d.intValue() < 0 || d.intValue() > MAX_INDEX) {
                    throw refuse(at + "[" + i + "]", "expected a GPU index from 0 to " + MAX_INDEX + ", got "
                        + kind(d));
                }
                if (out.contains(d.intValue())) {
                    throw refuse(at + "[" + i + "]", "GPU " + d.intValue() + " is listed twice");
                }
                out.add(d.intValue());
            }
            return Optional.of(out);
        }

        List<Integer> filter(JsonNode n, String at) {
            if (n == null) {
                return List.of();
            }
            List<JsonNode> ids = new ArrayList<>();
            if (n.isArray() && !n.isEmpty()) {
                n.forEach(ids::add);
            } else {
                ids.add(n);
            }
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                JsonNode id = ids.get(i);
                String p = n.isArray() ? at + "[" + i + "]" : at;
                // unquoted, 0x233510DE is a YAML integer; quoted, text: both are the same id
                long value = -1;
                if (id.isTextual() && DEVICE_ID.matcher(id.asText()).matches()) {
                    value = Long.parseLong(id.asText().substring(2), 16);
                } else if (id.isIntegralNumber() && id.canConvertToLong()) {
                    value = id.longValue();
                }
                if (value < 0 || value > 0xFFFF_FFFFL || (value & 0xFFFF) != NVIDIA_VENDOR) {
                    throw refuse(p, "expected a PCI device id such as 0x233510DE (device, then NVIDIA's vendor id "
                        + "10DE), got " + kind(id));
                }
                out.add((int) value);
            }
            return out;
        }

        Map<String, Integer> migDevices(JsonNode n, String at) {
            Map<String, Integer> out = new LinkedHashMap<>();
            if (n == null || n.isNull()) {
                return out;
            }
            mapping(n, at, null);
            for (Map.Entry<String, JsonNode> d : n.properties()) {
                String p = at + "." + d.getKey();
                if (!PROFILE.matcher(d.getKey()).matches()) {
                    throw refuse(p, "not a MIG profile name; expected one such as 1g.10gb, 3g.40gb or 1g.10gb+me");
                }
                JsonNode count = d.getValue();
                if (!count.isInt() || count.intValue() < 0 || count.intValue() > 7) {
                    throw refuse(p, "expected a count from 0 to 7, got " + kind(count));
                }
                if (count.intValue() > 0) {
                    out.put(d.getKey(), count.intValue());
                }
            }
            return out;
        }

        String kind(JsonNode n) {
            if (n.isNull()) {
                return "null";
            }
            if (n.isObject()) {
                return "a mapping";
            }
            if (n.isArray()) {
                return n.isEmpty() ? "an empty list" : "a list";
            }
            return "'" + shown(n) + "'";
        }
    }
}
