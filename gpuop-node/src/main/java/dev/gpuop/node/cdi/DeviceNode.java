package dev.gpuop.node.cdi;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A device node. Type, major and minor are left out: the runtime reads them from the host node when it applies
 * the spec, so the spec stays right across a driver reload that renumbers majors.
 *
 * @param path the path in the container
 * @param hostPath the host path when it differs (a dev root other than {@code /}), else null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeviceNode(String path, String hostPath) {

    /** A node at the same path on host and in the container. */
    public static DeviceNode at(String path) {
        return new DeviceNode(path, null);
    }
}
