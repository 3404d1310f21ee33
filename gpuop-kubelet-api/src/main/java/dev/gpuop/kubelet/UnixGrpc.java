package dev.gpuop.kubelet;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * gRPC over Unix domain sockets, as the kubelet speaks it (h2c, authority {@code localhost}), through netty's NIO
 * domain-socket channels on the JDK's own Unix sockets: no native library to ship (ADR 0005).
 */
public final class UnixGrpc {

    /**
     * grpc-netty asks for TCP keep-alive on every channel, and netty warns on each connect that a Unix socket has no
     * such option: right and harmless, but it filled the agent's log at every kubelet restart. Held here because JUL
     * keeps loggers only weakly.
     */
    private static final Logger BOOTSTRAP_LOG = Logger.getLogger("io.netty.bootstrap");

    static {
        BOOTSTRAP_LOG.setLevel(Level.SEVERE);
    }

    /**
     * One small event loop for every socket of the process: the kubelet protocols carry a few calls a minute. Its
     * threads are daemons, so that they never keep a finished process (a CLI command, a test, a benchmark) alive.
     */
    private static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(2,
        new DefaultThreadFactory("gpuop-grpc", true), NioIoHandler.newFactory());

    private UnixGrpc() {
    }

    /** The process's one event loop, for the few other connections a node agent makes (its API calls). */
    public static EventLoopGroup eventLoops() {
        return GROUP;
    }

    /** Serves the services on a socket file, replacing a stale one left by an earlier process. */
    public static Server serve(Path socket, BindableService... services) {
        return serve(socket, false, services);
    }

    /**
     * Like {@link #serve} for services whose handlers never block: they run on the event loop that read the call,
     * without grpc-java's hand-off to its executor and back, two thread wake-ups per call. The device plugin's calls
     * take microseconds. Measured on the H200 (docs/benchmarks.md), this alone did not close the gap to NVIDIA's
     * plugin: the JIT did (the code was still interpreted). A handler that blocked here would stall every socket of
     * the process.
     */
    public static Server serveNonBlocking(Path socket, BindableService... services) {
        return serve(socket, true, services);
    }

    private static Server serve(Path socket, boolean onEventLoop, BindableService... services) {
        try {
            Files.createDirectories(socket.getParent());
            Files.deleteIfExists(socket);
            NettyServerBuilder b = NettyServerBuilder.forAddress(UnixDomainSocketAddress.of(socket))
                .channelType(NioServerDomainSocketChannel.class)
                .bossEventLoopGroup(GROUP).workerEventLoopGroup(GROUP);
            if (onEventLoop) {
                b.directExecutor();
            }
            for (BindableService s : services) {
                b.addService(s);
            }
            return b.build().start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve gRPC on " + socket + ": " + e.getMessage(), e);
        }
    }

    /** Stops a server at once and waits (up to 5 s) until its calls are gone, so that its socket can be reused. */
    public static void stop(Server server) {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A channel to a socket file (connects lazily, on the first call). */
    public static ManagedChannel connect(Path socket) {
        return NettyChannelBuilder.forAddress(UnixDomainSocketAddress.of(socket))
            .channelType(NioDomainSocketChannel.class, UnixDomainSocketAddress.class)
            .eventLoopGroup(GROUP).overrideAuthority("localhost").usePlaintext().build();
    }
}
