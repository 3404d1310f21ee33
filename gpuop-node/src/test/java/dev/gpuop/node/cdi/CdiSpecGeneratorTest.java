package dev.gpuop.node.cdi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.sim.SimulatedGpuHost;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spec for simulated hosts over fake driver roots, checked against the CDI JSON schema. */
class CdiSpecGeneratorTest {

    static final Schema SCHEMA = schema();
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    @Test
    void anH200HostGetsDevicesByIndexUuidAndAllAndTheDriverMountedWithoutHooks() throws Exception {
        CdiSpec spec = generate("h200", FakeDriverRoot.distribution(root));
        JsonNode json = valid(spec);

        assertThat(spec.kind()).isEqualTo("nvidia.com/gpu");
        assertThat(spec.cdiVersion()).as("digit-leading names need 0.5.0").isEqualTo("0.5.0");
        assertThat(spec.devices().stream().map(CdiDevice::name).toList()).startsWith("0").endsWith("all")
            .anyMatch(n -> n.startsWith("GPU-"));
        assertThat(json.path("containerEdits").has("hooks")).isFalse();
        String lib = root + "/usr/lib/x86_64-linux-gnu/libcuda.so." + FakeDriverRoot.VERSION;
        assertThat(spec.containerEdits().mounts()).filteredOn(m -> m.hostPath().equals(lib))
            .extracting(CdiMount::containerPath).containsExactly(
                "/usr/lib/x86_64-linux-gnu/libcuda.so." + FakeDriverRoot.VERSION,
                "/usr/lib/x86_64-linux-gnu/libcuda.so", "/usr/lib/x86_64-linux-gnu/libcuda.so.1",
                "/usr/local/nvidia/lib64/libcuda.so." + FakeDriverRoot.VERSION,
                "/usr/local/nvidia/lib64/libcuda.so", "/usr/local/nvidia/lib64/libcuda.so.1");
        assertThat(spec.containerEdits().mounts()).extracting(CdiMount::containerPath)
            .contains("/usr/local/nvidia/bin/nvidia-smi", "/lib/firmware/nvidia/580.159.04/gsp_ga10x.bin");
        assertThat(spec.containerEdits().deviceNodes()).extracting(DeviceNode::path)
            .containsExactly("/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools");
        assertThat(spec.containerEdits().deviceNodes()).extracting(DeviceNode::hostPath)
            .allMatch(h -> h.startsWith(root.toString()));
    }

    @Test
    void readInAPodThroughTheHostMountTheSpecNamesTheHostsPathsNotThePods() throws Exception {
        Path host = FakeDriverRoot.usrLocalNvidia(Files.createDirectories(root.resolve("host")));
        CdiOptions options = CdiOptions.mountedHost(host, root.resolve("proc"));
        assertThat(options.driverRoot()).isEqualTo(host);
        CdiSpec spec = generate("h200", options);
        valid(spec);
        assertThat(spec.containerEdits().mounts()).extracting(CdiMount::hostPath)
            .contains("/usr/local/nvidia/lib64/libcuda.so." + FakeDriverRoot.VERSION,
                "/usr/local/nvidia/bin/nvidia-smi")
            .noneMatch(h -> h.startsWith(root.toString()));
        assertThat(spec.containerEdits().deviceNodes()).extracting(DeviceNode::path)
            .contains("/dev/nvidiactl");
        assertThat(spec.containerEdits().deviceNodes()).extracting(DeviceNode::hostPath).containsOnlyNulls();
    }

    @Test
    void theDriversProgramIsMountedRatherThanAWrapperScriptOfTheSameName() throws Exception {
        // the H200 machine: a script at /usr/bin/nvidia-smi, the program in /usr/local/nvidia/bin
        Path host = FakeDriverRoot.usrLocalNvidia(Files.createDirectories(root.resolve("host")));
        Path script = Files.createDirectories(host.resolve("usr/bin")).resolve("nvidia-smi");
        Files.writeString(script, "#!/bin/sh\nexec /usr/local/nvidia/bin/nvidia-smi \"$@\"\n");
        Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        CdiSpec spec = generate("h200", CdiOptions.mountedHost(host, root.resolve("proc")));
        assertThat(spec.containerEdits().mounts()).filteredOn(m -> m.containerPath().endsWith("/nvidia-smi"))
            .extracting(CdiMount::hostPath).containsOnly("/usr/local/nvidia/bin/nvidia-smi");
    }

    @Test
    void aDriverContainersRootIsPreferredAndItsFilesAreMountedFromRunNvidiaDriver() throws Exception {
        Path host = FakeDriverRoot.usrLocalNvidia(Files.createDirectories(root.resolve("host")));
        FakeDriverRoot.distribution(Files.createDirectories(host.resolve("run/nvidia/driver")));
        CdiOptions options = CdiOptions.mountedHost(host, root.resolve("proc"));
        assertThat(options.driverRoot()).isEqualTo(host.resolve("run/nvidia/driver"));
        CdiSpec spec = generate("h200", options);
        String lib = "/usr/lib/x86_64-linux-gnu/libcuda.so." + FakeDriverRoot.VERSION;
        assertThat(spec.containerEdits().mounts()).filteredOn(m -> m.containerPath().equals(lib))
            .extracting(CdiMount::hostPath).containsExactly("/run/nvidia/driver" + lib);
        assertThat(spec.containerEdits().deviceNodes()).extracting(DeviceNode::hostPath).containsOnlyNulls();
    }

    @Test
    void aMigHostGetsOneDevicePerMigDeviceWithItsCapabilityNodes() throws Exception {
        Path proc = Files.createDirectories(root.resolve("proc/driver/nvidia-caps"));
        Files.writeString(proc.resolve("mig-minors"), """
            config 1
            monitor 2
            gpu0/gi1/access 12
            gpu0/gi1/ci0/access 13
            gpu0/gi5/access 48
            gpu0/gi5/ci0/access 49
            """);
        CdiSpec spec = generate("a100-mig-mixed", FakeDriverRoot.distribution(root.resolve("driver")));
        valid(spec);
        List<String> names = spec.devices().stream().map(CdiDevice::name).toList();
        assertThat(names).as("a MIG-enabled GPU is offered only as its MIG devices").doesNotContain("0")
            .contains("0:0", "0:1", "all").anyMatch(n -> n.startsWith("MIG-"));
        CdiDevice first = spec.devices().stream().filter(d -> d.name().equals("0:0")).findFirst().orElseThrow();
        assertThat(first.containerEdits().deviceNodes()).extracting(DeviceNode::path)
            .containsExactly("/dev/nvidia0", "/dev/nvidia-caps/nvidia-cap12", "/dev/nvidia-caps/nvidia-cap13");
    }

    @Test
    void theSchemaRejectsWhatCdiLoadersReject() throws Exception {
        ObjectNode json = (ObjectNode) JSON.readTree(CdiSpecWriter.json(generate("h200",
            FakeDriverRoot.distribution(root))));
        ObjectNode unknownField = json.deepCopy();
        unknownField.put("vendorExtension", true);
        assertThat(SCHEMA.validate(unknownField)).as("unknown field").isNotEmpty();
        ObjectNode noKind = json.deepCopy();
        noKind.remove("kind");
        assertThat(SCHEMA.validate(noKind)).as("no kind").isNotEmpty();
        ObjectNode emptyEdits = json.deepCopy();
        ((ObjectNode) emptyEdits.withArray("devices").get(0)).putObject("containerEdits");
        assertThat(SCHEMA.validate(emptyEdits)).as("a device with empty edits").isNotEmpty();
    }

    @Test
    void theProcFilesGiveTheSameGpusWithoutNvml() throws Exception {
        Path proc = root.resolve("proc");
        Files.createDirectories(proc.resolve("driver/nvidia/gpus/0000:07:00.0"));
        Files.createDirectories(proc.resolve("driver/nvidia/gpus/0000:0a:00.0"));
        Files.writeString(proc.resolve("driver/nvidia/version"), "NVRM version: NVIDIA UNIX Open Kernel Module for "
            + "x86_64  580.159.04  Release Build  (dvs-builder@U16-I2-C03-11-4)\nGCC version:  gcc 12\n");
        Files.writeString(proc.resolve("driver/nvidia/gpus/0000:07:00.0/information"),
            "Model: \t\t NVIDIA H200\nGPU UUID: \t GPU-aaaa\nDevice Minor: \t 1\n");
        Files.writeString(proc.resolve("driver/nvidia/gpus/0000:0a:00.0/information"),
            "Model: \t\t NVIDIA H200\nGPU UUID: \t GPU-bbbb\nDevice Minor: \t 0\n");
        GpuInventory inventory = GpuInventory.fromProc(proc);
        assertThat(inventory.driverVersion()).isEqualTo("580.159.04");
        assertThat(inventory.gpus()).extracting(CdiGpu::uuid).containsExactly("GPU-aaaa", "GPU-bbbb");
        assertThat(inventory.gpus()).extracting(CdiGpu::minor).containsExactly(1, 0);
    }

    private CdiSpec generate(String fixture, Path driverRoot) throws Exception {
        return generate(fixture, new CdiOptions(driverRoot, driverRoot, driverRoot, root.resolve("proc"),
            CdiOptions.NVIDIA_GPU));
    }

    private CdiSpec generate(String fixture, CdiOptions options) throws Exception {
        try (GpuHost host = SimulatedGpuHost.open(fixture)) {
            GpuInventory inventory = GpuInventory.of(host);
            GpuInventory sameVersion = new GpuInventory(FakeDriverRoot.VERSION, inventory.gpus());
            return CdiSpecGenerator.generate(sameVersion, DriverFiles.find(options.driverRoot(), options.hostRoot(),
                FakeDriverRoot.VERSION), options);
        }
    }

    static JsonNode valid(CdiSpec spec) throws Exception {
        JsonNode json = JSON.readTree(CdiSpecWriter.json(spec));
        assertThat(SCHEMA.validate(json)).as("CDI schema errors").isEmpty();
        return json;
    }

    private static Schema schema() {
        try (InputStream in = CdiSpecGeneratorTest.class.getResourceAsStream("cdi-spec.schema.json")) {
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7).getSchema(in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
