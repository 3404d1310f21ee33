package dev.gpuop.node.toolkit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The real containerd binaries the ITs run: Debian's 1.6 (scripts/ci-deps.sh installs it) and testenv's 2.x. */
final class ContainerdBinaries {

    private ContainerdBinaries() {
    }

    /** containerd 1.x from PATH. */
    static Path containerd1() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, "containerd");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** containerd 2.x: {@code GPUOP_CONTAINERD2}, else testenv's build next to this checkout. */
    static Path containerd2() {
        String env = System.getenv("GPUOP_CONTAINERD2");
        Path p = env != null ? Path.of(env)
            : Path.of("..", "testenv", ".bin", "containerd").toAbsolutePath().normalize();
        return Files.isExecutable(p) ? p : null;
    }

    /** The binaries to run; a missing one is skipped with an assumption in the test. */
    static List<String> kinds() {
        return List.of("containerd-1", "containerd-2");
    }

    /** The binary of a kind, or an assumption failure naming what to install. */
    static Path require(String kind) {
        assumeTrue(isRoot(), "containerd needs root to start (run the ITs as root, as CI does)");
        if (kind.equals("containerd-1")) {
            Path p = containerd1();
            assumeTrue(p != null, "no containerd on PATH: install it (scripts/ci-deps.sh: apt-get install -y "
                + "containerd)");
            return p;
        }
        Path p = containerd2();
        assumeTrue(p != null, "no containerd 2.x: build testenv (testenv/.bin/containerd) or set GPUOP_CONTAINERD2");
        return p;
    }

    static boolean isRoot() {
        try {
            return Files.readString(Path.of("/proc/self/status")).lines()
                .anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[1].equals("0"));
        } catch (IOException e) {
            return false;
        }
    }
}
