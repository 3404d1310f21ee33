package dev.gpuop.gpu.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Loads fixtures: the ones shipped in the jar by name, or any file by path. */
public final class GpuFixtures {

    /** The fixtures shipped with gpuop, usable as {@code gpuop gpus --simulate NAME}. */
    public static final List<String> SHIPPED = List.of("mx150-laptop", "h100-sxm-8x", "a100-mig-mixed", "h200");

    private static final ObjectMapper MAPPER = new ObjectMapper()
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private GpuFixtures() {
    }

    /**
     * A shipped fixture by name, or a fixture file by path.
     *
     * @throws IllegalArgumentException naming the fixture, the shipped names and what was wrong
     */
    public static GpuFixture load(String nameOrPath) {
        Path file = Path.of(nameOrPath);
        if (Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                return parse(nameOrPath, in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read fixture " + file, e);
            }
        }
        try (InputStream in = GpuFixtures.class.getResourceAsStream("/dev/gpuop/gpu/fixtures/" + nameOrPath
            + ".json")) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture '" + nameOrPath + "': neither a file nor one of "
                    + String.join(", ", SHIPPED));
            }
            return parse(nameOrPath, in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read fixture " + nameOrPath, e);
        }
    }

    private static GpuFixture parse(String name, InputStream in) throws IOException {
        try {
            return MAPPER.readValue(in, GpuFixture.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("fixture '" + name + "' is malformed: " + e.getOriginalMessage()
                + " at " + e.getLocation(), e);
        }
    }
}
