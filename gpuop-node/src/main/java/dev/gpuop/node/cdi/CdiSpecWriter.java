package dev.gpuop.node.cdi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.gpuop.node.toolkit.SafeFileWriter;
import java.nio.file.Path;

/** Writes a spec as JSON (or YAML), atomically, under the name CDI's tools give it. */
public final class CdiSpecWriter {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Every string quoted: a device named {@code 0} or {@code 0:1} must not read back as a number. */
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));

    private CdiSpecWriter() {
    }

    /** The spec as JSON text. */
    public static String json(CdiSpec spec) {
        try {
            return JSON.writeValueAsString(spec) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The spec as YAML text. */
    public static String yaml(CdiSpec spec) {
        try {
            return YAML.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code <dir>/<vendor>-<class>.json} (mode 0644) and returns its path. */
    public static Path writeTo(Path dir, CdiSpec spec) {
        Path file = dir.resolve(spec.fileBaseName() + ".json");
        SafeFileWriter.write(file, json(spec));
        return file;
    }

    /** Writes to a named file, YAML when it ends in {@code .yaml}/{@code .yml}, JSON otherwise. */
    public static void writeFile(Path file, CdiSpec spec) {
        String name = file.getFileName().toString();
        SafeFileWriter.write(file, name.endsWith(".yaml") || name.endsWith(".yml") ? yaml(spec) : json(spec));
    }
}
