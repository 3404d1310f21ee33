package dev.gpuop.node.mps;

import java.nio.file.Path;

/**
 * Where an MPS control daemon's files are, under an MPS root, as NVIDIA's plugin lays them out: per resource
 * {@code <root>/<resource>/pipe} (the daemon's and server's sockets, which the pods' clients connect to) and
 * {@code <root>/<resource>/log}, and one {@code <root>/shm} that the server and every client use as {@code /dev/shm}.
 * The same root is seen at different paths: the host's (what Allocate mounts into pods), the node agent's (where its
 * pod mounts the host's), and a pod's ({@link #CONTAINER_ROOT}).
 */
public final class MpsPaths {

    /** Where a pod sees the MPS root, as with NVIDIA's plugin (its clients find the pipe by this path). */
    public static final String CONTAINER_ROOT = "/mps";

    private MpsPaths() {
    }

    /** The pipe directory of a resource's daemon. */
    public static Path pipeDir(Path root, String resource) {
        return root.resolve(resource).resolve("pipe");
    }

    /** The log directory of a resource's daemon. */
    public static Path logDir(Path root, String resource) {
        return root.resolve(resource).resolve("log");
    }

    /** The shared memory directory of every daemon under this root. */
    public static Path shmDir(Path root) {
        return root.resolve("shm");
    }

    /** The file that says a resource's daemon is up with its limits set (NVIDIA's {@code .started}). */
    public static Path startedFile(Path root, String resource) {
        return root.resolve(resource).resolve(".started");
    }
}
