package dev.gpuop.node.cdi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the {@code nvidia.com/gpu} spec: one device per GPU by index and by UUID, one per MIG device
 * ({@code <gpu>:<mig>} and its UUID), and {@code all}; the driver's libraries, binaries, firmware and IPC sockets
 * once for the whole spec. Libraries are mounted at their host path and again in {@code /usr/local/nvidia/lib64}
 * (CUDA images have it on {@code LD_LIBRARY_PATH}), each under every name that points at it (soname, dev link),
 * because without NVIDIA's hooks nobody creates those links or runs {@code ldconfig} in the container.
 */
public final class CdiSpecGenerator {

    /** The library dir of CUDA images' {@code LD_LIBRARY_PATH}. */
    public static final String CUDA_IMAGE_LIB_DIR = "/usr/local/nvidia/lib64";
    /** The binary dir of CUDA images' {@code PATH}. */
    public static final String CUDA_IMAGE_BIN_DIR = "/usr/local/nvidia/bin";
    static final List<String> CONTROL_NODES = List.of("/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools",
        "/dev/nvidia-modeset");
    private static final Pattern MIG_MINOR = Pattern.compile("gpu(\\d+)/gi(\\d+)(?:/ci(\\d+))?/access\\s+(\\d+)");

    private CdiSpecGenerator() {
    }

    /** The spec for these GPUs and driver files. */
    public static CdiSpec generate(GpuInventory inventory, DriverFiles files, CdiOptions options) throws IOException {
        Map<String, Integer> capMinors = migCapMinors(options.procRoot());
        List<CdiDevice> devices = new ArrayList<>();
        for (CdiGpu gpu : inventory.gpus()) {
            DeviceNode node = node(options, "/dev/nvidia" + gpu.minor());
            if (!gpu.migEnabled()) {
                ContainerEdits edits = ContainerEdits.ofNodes(List.of(node));
                devices.add(new CdiDevice(Integer.toString(gpu.index()), edits));
                devices.add(new CdiDevice(gpu.uuid(), edits));
            }
            for (CdiGpu.Mig mig : gpu.migDevices()) {
                List<DeviceNode> nodes = new ArrayList<>(List.of(node));
                String gi = "gpu" + gpu.minor() + "/gi" + mig.gpuInstanceId();
                for (String cap : List.of(gi, gi + "/ci" + mig.computeInstanceId())) {
                    Integer minor = capMinors.get(cap);
                    if (minor != null) {
                        nodes.add(node(options, "/dev/nvidia-caps/nvidia-cap" + minor));
                    }
                }
                ContainerEdits edits = ContainerEdits.ofNodes(nodes);
                devices.add(new CdiDevice(gpu.index() + ":" + mig.index(), edits));
                devices.add(new CdiDevice(mig.uuid(), edits));
            }
        }
        if (!devices.isEmpty()) {
            devices.add(new CdiDevice("all",
                ContainerEdits.union(devices.stream().map(CdiDevice::containerEdits).toList())));
        }
        CdiSpec draft = new CdiSpec(CdiVersion.V0_3_0, options.kind(), devices, common(files, options));
        return new CdiSpec(CdiVersion.minimum(draft), draft.kind(), draft.devices(), draft.containerEdits());
    }

    private static ContainerEdits common(DriverFiles files, CdiOptions options) {
        List<DeviceNode> nodes = new ArrayList<>();
        for (String control : CONTROL_NODES) {
            if (Files.exists(DriverFiles.at(options.devRoot(), control))) {
                nodes.add(node(options, control));
            }
        }
        List<CdiMount> mounts = new ArrayList<>();
        files.libraries().keySet().stream().sorted().forEach(lib -> {
            String name = lib.substring(lib.lastIndexOf('/') + 1);
            String dir = lib.substring(0, lib.lastIndexOf('/'));
            Set<String> targets = new LinkedHashSet<>();
            targets.add(lib);
            files.libraries().get(lib).forEach(n -> targets.add(dir + "/" + n));
            targets.add(CUDA_IMAGE_LIB_DIR + "/" + name);
            files.libraries().get(lib).forEach(n -> targets.add(CUDA_IMAGE_LIB_DIR + "/" + n));
            String host = hostPath(options, options.driverRoot(), lib);
            targets.forEach(t -> mounts.add(new CdiMount(host, t, CdiMount.READ_ONLY)));
        });
        for (String bin : files.binaries()) {
            String name = bin.substring(bin.lastIndexOf('/') + 1);
            Set<String> targets = new LinkedHashSet<>(
                List.of(bin, CUDA_IMAGE_BIN_DIR + "/" + name, "/usr/bin/" + name));
            String host = hostPath(options, options.driverRoot(), bin);
            targets.forEach(t -> mounts.add(new CdiMount(host, t, CdiMount.READ_ONLY)));
        }
        for (String fw : files.firmware()) {
            mounts.add(new CdiMount(hostPath(options, options.driverRoot(), fw), fw, CdiMount.READ_ONLY));
        }
        for (String ipc : files.ipc()) {
            mounts.add(new CdiMount(hostPath(options, options.hostRoot(), ipc), ipc, CdiMount.IPC));
        }
        return new ContainerEdits(List.of("NVIDIA_VISIBLE_DEVICES=void"), nodes, mounts);
    }

    private static DeviceNode node(CdiOptions options, String path) {
        String host = hostPath(options, options.devRoot(), path);
        return new DeviceNode(path, host.equals(path) ? null : host);
    }

    private static String hostPath(CdiOptions options, Path root, String path) {
        return options.onHost(DriverFiles.at(root, path));
    }

    /** {@code <proc>/driver/nvidia-caps/mig-minors}: "gpu0/gi1/access 12", "gpu0/gi1/ci0/access 13". */
    static Map<String, Integer> migCapMinors(Path proc) throws IOException {
        Map<String, Integer> minors = new HashMap<>();
        Path file = proc.resolve("driver/nvidia-caps/mig-minors");
        if (!Files.exists(file)) {
            return minors;
        }
        for (String line : Files.readAllLines(file)) {
            Matcher m = MIG_MINOR.matcher(line.trim());
            if (m.matches()) {
                String key = "gpu" + m.group(1) + "/gi" + m.group(2) + (m.group(3) == null ? "" : "/ci" + m.group(3));
                minors.put(key, Integer.parseInt(m.group(4)));
            }
        }
        return minors;
    }
}
