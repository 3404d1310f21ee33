package dev.gpuop.node.deviceplugin.server;

import dev.gpuop.kubelet.UnixGrpc;
import io.grpc.ManagedChannel;
import java.nio.file.Path;

/**
 * A connection to the kubelet's registration socket that starts connecting when it is opened: after a kubelet
 * restart the agent opens it first and starts its new servers while the connection's HTTP/2 handshake runs, so that
 * the Register call finds it ready. One connection carries every resource's registration of a round.
 */
public final class KubeletDial implements AutoCloseable {

    private final Path socket;
    private ManagedChannel channel;

    private KubeletDial(Path socket) {
        this.socket = socket;
        this.channel = connect(socket);
    }

    /** Opens the connection and asks for it at once (gRPC channels otherwise connect on their first call). */
    public static KubeletDial open(Path kubeletSocket) {
        return new KubeletDial(kubeletSocket);
    }

    private static ManagedChannel connect(Path socket) {
        ManagedChannel c = UnixGrpc.connect(socket);
        c.getState(true);
        return c;
    }

    Path socket() {
        return socket;
    }

    synchronized ManagedChannel channel() {
        return channel;
    }

    /**
     * A new connection in place of one that failed: a channel whose dial was refused would wait out gRPC's reconnect
     * backoff (a second) before it tried again.
     */
    synchronized ManagedChannel redial() {
        channel.shutdownNow();
        channel = connect(socket);
        return channel;
    }

    @Override
    public synchronized void close() {
        channel.shutdownNow();
    }
}
