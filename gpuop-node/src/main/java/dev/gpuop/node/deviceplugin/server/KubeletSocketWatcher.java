package dev.gpuop.node.deviceplugin.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;

/**
 * Watches the device-plugin directory (never the socket file: the kubelet replaces it) and calls back when
 * {@code kubelet.sock} is created, which is what a kubelet start or restart does. The JDK's watch service is
 * inotify on Linux, so the callback comes within milliseconds.
 */
final class KubeletSocketWatcher implements AutoCloseable {

    private final Path dir;
    private final Runnable onCreate;
    private WatchService service;
    private Thread thread;

    KubeletSocketWatcher(Path dir, Runnable onCreate) {
        this.dir = dir;
        this.onCreate = onCreate;
    }

    void start() {
        try {
            Files.createDirectories(dir);
            service = FileSystems.getDefault().newWatchService();
            dir.register(service, StandardWatchEventKinds.ENTRY_CREATE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch " + dir + ": " + e.getMessage(), e);
        }
        thread = Thread.ofPlatform().daemon().name("gpuop-kubelet-watch").start(this::loop);
    }

    private void loop() {
        try {
            while (true) {
                WatchKey key = service.take();
                boolean created = false;
                for (WatchEvent<?> e : key.pollEvents()) {
                    if (e.kind() == StandardWatchEventKinds.OVERFLOW
                        || DevicePluginManager.KUBELET_SOCKET.equals(String.valueOf(e.context()))) {
                        created = true;
                    }
                }
                key.reset();
                if (created && Files.exists(dir.resolve(DevicePluginManager.KUBELET_SOCKET))) {
                    onCreate.run();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        }
    }

    @Override
    public void close() {
        try {
            if (service != null) {
                service.close();
            }
        } catch (IOException ignored) {
            // nothing left to release
        }
        if (thread != null) {
            thread.interrupt();
        }
    }
}
