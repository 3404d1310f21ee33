package dev.gpuop.node.deviceplugin.server;

import dev.gpuop.kubelet.UnixGrpc;
import dev.gpuop.node.deviceplugin.v1beta1.Empty;
import dev.gpuop.node.deviceplugin.v1beta1.RegisterRequest;
import dev.gpuop.node.deviceplugin.v1beta1.RegistrationGrpc;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What the agent does after a kubelet restart, rehearsed a hundred times against a registration socket of its own in
 * a temporary directory: a new server of the resource, a connection to the registration socket, the Register call,
 * the server stopped. Part of the warm-up ({@link KubeletCallWarmup}) for the same reason: a node's kubelet
 * restarts a few times a year, so without it the server start and the registration ran in the interpreter each
 * time, and a restarted kubelet got the GPUs back later than from NVIDIA's plugin (docs/benchmarks.md). The real
 * kubelet never sees these sockets.
 */
final class RestartRehearsal {

    private static final System.Logger LOG = System.getLogger(RestartRehearsal.class.getName());

    private RestartRehearsal() {
    }

    /**
     * Rehearses {@code rounds} restarts with new servers of {@code template}'s resource.
     *
     * @return the registrations made; fewer than asked when one failed (no temporary directory, say)
     */
    static int run(ResourceServer template, int rounds) {
        if (rounds <= 0) {
            return 0;
        }
        Path dir = null;
        Server registration = null;
        int done = 0;
        try {
            dir = Files.createTempDirectory("gpuop-dp-warmup");
            Path kubeletSocket = dir.resolve(DevicePluginManager.KUBELET_SOCKET);
            registration = UnixGrpc.serve(kubeletSocket, new AcceptEveryRegistration());
            for (; done < rounds; done++) {
                ResourceServer server = template.another();
                server.start(dir);
                try (KubeletDial dial = KubeletDial.open(kubeletSocket)) {
                    KubeletRegistrar.register(dir, server.endpoint(), template.resource().name(), dial, () -> false);
                } finally {
                    server.close();
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "restart rehearsal ended after {0} rounds: {1}", done, e.toString());
        } finally {
            if (registration != null) {
                UnixGrpc.stop(registration);
            }
            removeQuietly(dir);
        }
        return done;
    }

    private static void removeQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temporary directory: the node's cleanup takes it
        }
    }

    /** The kubelet's registration service as far as the rehearsal needs it. */
    private static final class AcceptEveryRegistration extends RegistrationGrpc.RegistrationImplBase {
        @Override
        public void register(RegisterRequest request, StreamObserver<Empty> out) {
            out.onNext(Empty.getDefaultInstance());
            out.onCompleted();
        }
    }
}
