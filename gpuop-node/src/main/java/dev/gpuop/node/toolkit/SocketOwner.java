package dev.gpuop.node.toolkit;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * The process listening on a Unix socket, found the way {@code ss -xlp} does: the socket's inode from
 * {@code /proc/net/unix}, then the process holding {@code socket:[inode]} among its fds. Java's Unix sockets give no
 * peer credentials, and this needs no native call.
 */
public final class SocketOwner {

    private static final int LISTENING = 0x00010000;

    private SocketOwner() {
    }

    /** The pid listening on the socket, if this process may see it. */
    public static OptionalLong of(Path socket) {
        return of(socket, Path.of("/proc"));
    }

    static OptionalLong of(Path socket, Path proc) {
        String inode = listeningInode(socket, proc);
        if (inode == null) {
            return OptionalLong.empty();
        }
        String link = "socket:[" + inode + "]";
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, "[0-9]*")) {
            for (Path pid : pids) {
                if (holds(pid.resolve("fd"), link)) {
                    return OptionalLong.of(Long.parseLong(pid.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }

    /**
     * The socket's inode. {@code /proc/net/unix} lists only the reading process's network namespace, and the
     * toolkit step's pod has its own; with the host's PID namespace (hostPID) pid 1's list is the host's, where
     * containerd listens. So pid 1's list first, then this process's.
     */
    static String listeningInode(Path socket, Path proc) {
        String inode = inodeIn(proc.resolve("1/net/unix"), socket);
        return inode != null ? inode : inodeIn(proc.resolve("net/unix"), socket);
    }

    /** Parses a {@code net/unix} list: "Num RefCount Protocol Flags Type St Inode Path". */
    private static String inodeIn(Path netUnix, Path socket) {
        List<String> lines;
        try {
            lines = Files.readAllLines(netUnix);
        } catch (IOException | SecurityException e) {
            return null;
        }
        String wanted = socket.toAbsolutePath().normalize().toString();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 8 && f[7].equals(wanted) && (Integer.parseInt(f[3], 16) & LISTENING) != 0) {
                return f[6];
            }
        }
        return null;
    }

    private static boolean holds(Path fdDir, String link) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals(link)) {
                        return true;
                    }
                } catch (IOException gone) {
                    // the fd closed while we looked
                }
            }
        } catch (IOException | SecurityException e) {
            return false;
        }
        return false;
    }

    /** The systemd unit a process runs in ({@code /proc/<pid>/cgroup}), or null when it is not in one. */
    public static String systemdUnit(long pid) {
        return systemdUnit(pid, Path.of("/proc"));
    }

    static String systemdUnit(long pid, Path proc) {
        try {
            for (String line : Files.readAllLines(proc.resolve(pid + "/cgroup"))) {
                for (String part : line.substring(line.lastIndexOf(':') + 1).split("/")) {
                    if (part.endsWith(".service")) {
                        return part;
                    }
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }
}
