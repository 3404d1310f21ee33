package dev.gpuop.node.toolkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/** Restarts containerd and waits until its CRI answers on the socket again. */
public final class ContainerdRestarter {

    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration CALL = Duration.ofSeconds(2);
    private static final List<String> SYSTEMCTL = List.of("/usr/bin/systemctl", "/bin/systemctl");

    private final Path socket;
    private final Duration timeout;
    private final Duration progress;

    public ContainerdRestarter(Path socket, Duration timeout) {
        this(socket, timeout, PROGRESS);
    }

    /** With {@code progress}: how often a wait says it still waits. */
    ContainerdRestarter(Path socket, Duration timeout, Duration progress) {
        this.socket = socket;
        this.timeout = timeout;
        this.progress = progress;
    }

    /** How the process behind the socket would be restarted; a refusal when nobody answers there. */
    public RestartMethod method() {
        if (CriClient.answers(socket, CALL).isEmpty()) {
            throw new ToolkitException(socket, "nobody answers on this containerd socket, so gpuop could not "
                + "restart containerd nor check it afterwards; nothing was changed",
                "start containerd, name its socket with --containerd-socket (CONTAINERD_SOCKET), "
                    + "or pass --no-restart and restart it yourself");
        }
        OptionalLong pid = SocketOwner.of(socket);
        if (pid.isEmpty()) {
            throw new ToolkitException(socket, "containerd answers here but gpuop cannot see which process "
                + "listens (it needs root and the host's /proc)", "run gpuop as root with hostPID, or pass "
                + "--no-restart and restart containerd yourself");
        }
        String unit = SocketOwner.systemdUnit(pid.getAsLong());
        if (unit != null && systemctl() != null) {
            return new RestartMethod.Systemd(unit);
        }
        return new RestartMethod.SignalOwner(pid.getAsLong());
    }

    /**
     * Restarts and waits for a new containerd to answer.
     *
     * @return how long until it answered
     * @throws ContainerdDownException when it did not answer within the timeout
     */
    public Duration restart(RestartMethod method) {
        long start = System.nanoTime();
        OptionalLong before = SocketOwner.of(socket);
        switch (method) {
            case RestartMethod.Systemd s -> systemctlRestart(s.unit());
            case RestartMethod.SignalOwner s -> signal(before.orElse(s.pid()));
        }
        if (awaitNewOwner(before, start)) {
            return Duration.ofNanos(System.nanoTime() - start);
        }
        throw new ContainerdDownException(socket, "containerd did not answer within " + timeout.toSeconds()
            + " s after " + method, "look at containerd's log (journalctl -u " + unitHint(method) + ")");
    }

    /**
     * After the previous config is back: restart again where a containerd still runs (or systemd owns it), else
     * wait for the supervisor to start one; true when containerd answers again.
     */
    public boolean recover(RestartMethod method) {
        long start = System.nanoTime();
        OptionalLong before = SocketOwner.of(socket);
        switch (method) {
            case RestartMethod.Systemd s -> systemctlRestart(s.unit());
            case RestartMethod.SignalOwner s -> before.ifPresent(ContainerdRestarter::signal);
        }
        return awaitNewOwner(before, start);
    }

    private boolean awaitNewOwner(OptionalLong before, long start) {
        long deadline = start + timeout.toNanos();
        long nextProgress = start + progress.toNanos();
        while (System.nanoTime() < deadline) {
            OptionalLong now = SocketOwner.of(socket);
            boolean newProcess = now.isPresent() && (before.isEmpty() || now.getAsLong() != before.getAsLong());
            if (newProcess && CriClient.answers(socket, CALL).isPresent()) {
                return true;
            }
            if (System.nanoTime() >= nextProgress) {
                // a long wait says what it waits for: a containerd pulling a slow disk can take half a minute
                LOG.log(System.Logger.Level.INFO, "waiting for {0} on {1} ({2} s of {3} s)", newProcess
                    ? "the new containerd's CRI to answer" : "a new containerd process", socket,
                    (System.nanoTime() - start) / 1_000_000_000L, timeout.toSeconds());
                nextProgress += progress.toNanos();
            }
            sleep(POLL);
        }
        return false;
    }

    private static final System.Logger LOG = System.getLogger(ContainerdRestarter.class.getName());
    /** How often a wait says it still waits. */
    static final Duration PROGRESS = Duration.ofSeconds(5);

    private static String unitHint(RestartMethod method) {
        return method instanceof RestartMethod.Systemd s ? s.unit() : "containerd";
    }

    private static void signal(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
    }

    private void systemctlRestart(String unit) {
        try {
            Process p = new ProcessBuilder(systemctl(), "restart", "--no-block", unit).inheritIO().start();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new ContainerdDownException(socket, "`systemctl restart " + unit + "` failed",
                    "run it by hand and look at `systemctl status " + unit + "`");
            }
        } catch (IOException e) {
            throw new ContainerdDownException(socket, "cannot run systemctl: " + e.getMessage(),
                "pass --no-restart and restart " + unit + " yourself");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerdDownException(socket, "interrupted while restarting " + unit, null);
        }
    }

    private static String systemctl() {
        return SYSTEMCTL.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
