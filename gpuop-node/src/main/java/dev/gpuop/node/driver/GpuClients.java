package dev.gpuop.node.driver;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The processes that hold a GPU device file open ({@code /dev/nvidia0}, {@code nvidiactl}, {@code nvidia-uvm}...),
 * read from {@code /proc/<pid>/fd}: in a pod with {@code hostPID} that is every process of the node. Such a process
 * keeps the kernel module in use, so a driver must not be unloaded under it.
 */
public final class GpuClients {

    /** One process and what it holds open. */
    public record Client(long pid, String command, String device) {
        @Override
        public String toString() {
            return pid + " (" + command + ", " + device + ")";
        }
    }

    private GpuClients() {
    }

    /**
     * @param proc the {@code /proc} to read
     * @param self this process's pid, never counted
     */
    public static List<Client> find(Path proc, long self) {
        List<Client> found = new ArrayList<>();
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, p -> p.getFileName().toString()
            .matches("\\d+"))) {
            for (Path dir : pids) {
                long pid = Long.parseLong(dir.getFileName().toString());
                if (pid != self) {
                    device(dir).ifPresent(d -> found.add(new Client(pid, command(dir), d)));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + proc + ": " + e.getMessage(), e);
        }
        found.sort(java.util.Comparator.comparingLong(Client::pid));
        return found;
    }

    private static java.util.Optional<String> device(Path pidDir) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(pidDir.resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("/dev/nvidia")) {
                        return java.util.Optional.of(target);
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    // a descriptor closed while we read, or not a link: not a GPU file
                }
            }
        } catch (IOException e) {
            // the process ended, or its fds are not ours to read
        }
        return java.util.Optional.empty();
    }

    private static String command(Path pidDir) {
        try {
            return Files.readString(pidDir.resolve("comm")).strip();
        } catch (IOException e) {
            return "?";
        }
    }
}
