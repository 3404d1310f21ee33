package dev.gpuop.node.bench;

import dev.gpuop.node.deviceplugin.v1beta1.AllocateResponse;
import dev.gpuop.node.deviceplugin.v1beta1.CDIDevice;
import dev.gpuop.node.deviceplugin.v1beta1.ContainerAllocateResponse;
import dev.gpuop.node.deviceplugin.v1beta1.DeviceSpec;
import dev.gpuop.node.deviceplugin.v1beta1.Mount;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Two device plugins' answers to the same Allocate request, field by field: every env, mount, device node,
 * annotation and CDI device of the first container response, keyed (envs and annotations by name, mounts and devices
 * by container path, CDI devices by name), with what each plugin put there and whether they agree.
 */
final class AllocateAnswers {

    /** One keyed entry of one field: what each side answered ({@code null} where it answered nothing). */
    record Line(String field, String key, String left, String right) {

        String verdict() {
            if (left == null) {
                return "only gpuop";
            }
            if (right == null) {
                return "only nvidia";
            }
            return left.equals(right) ? "same" : "differs";
        }
    }

    private AllocateAnswers() {
    }

    /** The entries of both answers, field by field, each field's keys sorted. */
    static List<Line> lines(AllocateResponse left, AllocateResponse right) {
        ContainerAllocateResponse l = first(left);
        ContainerAllocateResponse r = first(right);
        List<Line> out = new ArrayList<>();
        add(out, "envs", l.getEnvsMap(), r.getEnvsMap());
        add(out, "mounts", mounts(l.getMountsList()), mounts(r.getMountsList()));
        add(out, "devices", devices(l.getDevicesList()), devices(r.getDevicesList()));
        // NVIDIA names its CDI annotation with a fresh UUID per call, so annotations are compared by value's name part
        add(out, "annotations", annotations(l.getAnnotationsMap()), annotations(r.getAnnotationsMap()));
        add(out, "cdi_devices", cdi(l.getCdiDevicesList()), cdi(r.getCdiDevicesList()));
        return out;
    }

    /** A table of {@link #lines}, nvidia's answer on the left, gpuop's on the right. */
    static String compare(AllocateResponse nvidia, AllocateResponse gpuop) {
        StringBuilder b = new StringBuilder("Allocate answers for the same request (1 GPU), field by field:\n");
        List<Line> lines = lines(nvidia, gpuop);
        if (lines.isEmpty()) {
            b.append("  both answers are empty\n");
        }
        for (Line line : lines) {
            b.append(String.format("  %-11s %-40s %-11s nvidia=%s gpuop=%s%n", line.field(), line.key(),
                line.verdict(), line.left(), line.right()));
        }
        return b.toString();
    }

    private static ContainerAllocateResponse first(AllocateResponse r) {
        return r.getContainerResponsesCount() == 0 ? ContainerAllocateResponse.getDefaultInstance()
            : r.getContainerResponses(0);
    }

    private static void add(List<Line> out, String field, Map<String, String> l, Map<String, String> r) {
        for (String key : new TreeSet<>(union(l, r))) {
            out.add(new Line(field, key, l.get(key), r.get(key)));
        }
    }

    private static TreeSet<String> union(Map<String, String> l, Map<String, String> r) {
        TreeSet<String> keys = new TreeSet<>(l.keySet());
        keys.addAll(r.keySet());
        return keys;
    }

    private static Map<String, String> mounts(List<Mount> ms) {
        return ms.stream().collect(Collectors.toMap(Mount::getContainerPath,
            m -> m.getHostPath() + (m.getReadOnly() ? " ro" : " rw"), (a, b) -> a + ", " + b, TreeMap::new));
    }

    private static Map<String, String> devices(List<DeviceSpec> ds) {
        return ds.stream().collect(Collectors.toMap(DeviceSpec::getContainerPath,
            d -> d.getHostPath() + " " + d.getPermissions(), (a, b) -> a + ", " + b, TreeMap::new));
    }

    private static Map<String, String> annotations(Map<String, String> as) {
        Map<String, String> out = new TreeMap<>();
        as.forEach((k, v) -> out.merge(k.replaceFirst("_[0-9a-f-]{36}$", "_<uuid>"), v, (a, b) -> a + ", " + b));
        return out;
    }

    private static Map<String, String> cdi(List<CDIDevice> cs) {
        return cs.stream().collect(Collectors.toMap(CDIDevice::getName, c -> "requested", (a, b) -> a,
            TreeMap::new));
    }
}
