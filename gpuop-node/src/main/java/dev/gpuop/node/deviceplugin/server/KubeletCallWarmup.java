package dev.gpuop.node.deviceplugin.server;

import dev.gpuop.node.deviceplugin.model.PluginDevice;
import dev.gpuop.node.deviceplugin.v1beta1.AllocateRequest;
import dev.gpuop.node.deviceplugin.v1beta1.AllocateResponse;
import dev.gpuop.node.deviceplugin.v1beta1.ContainerAllocateRequest;
import dev.gpuop.node.deviceplugin.v1beta1.ContainerPreferredAllocationRequest;
import dev.gpuop.node.deviceplugin.v1beta1.DevicePluginOptions;
import dev.gpuop.node.deviceplugin.v1beta1.Empty;
import dev.gpuop.node.deviceplugin.v1beta1.ListAndWatchResponse;
import dev.gpuop.node.deviceplugin.v1beta1.PreferredAllocationRequest;
import dev.gpuop.node.deviceplugin.v1beta1.PreferredAllocationResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Makes the kubelet's calls against the agent's own device plugin socket ten thousand times, once per process, on a
 * daemon thread, written on the wire as the kubelet writes them ({@link KubeletWireClient}). Why: a real kubelet
 * calls GetPreferredAllocation and Allocate once per GPU container start and dials the socket again only after a
 * restart, so without this the JVM would run those paths in its interpreter for the agent's whole life (tiered
 * compilation waits for some hundreds of calls of a method before compiling it, and for thousands before its best
 * compiler takes it). Against a real kubelet on an H100 (docs/benchmarks.md) that was 1.3 ms per Allocate as the
 * kubelet timed it, where NVIDIA's plugin took 0.29 ms; a stand-in making 5,000 calls had hidden it. 2,000 pairs
 * left the per-call paths in the first compiler's profiled code, and so did 10,000 in a row: after them come rounds
 * made with the compiler quiet until one compiles nothing more ({@link JitSettling}). The calls change nothing: both
 * answers are computed from the device list alone, and each ListAndWatch stream ends with its connection.
 * {@code -Dgpuop.devicePlugin.warmupCalls=N} sets how many in a row (0: no warm-up at all), for benchmarks,
 * {@code -Dgpuop.devicePlugin.warmupRestarts=N} how many kubelet restarts it rehearses ({@link RestartRehearsal}) and
 * {@code -Dgpuop.devicePlugin.warmupRounds=N} the most settling rounds (0: none).
 */
final class KubeletCallWarmup {

    private static final System.Logger LOG = System.getLogger(KubeletCallWarmup.class.getName());
    static final String CALLS_PROPERTY = "gpuop.devicePlugin.warmupCalls";
    static final int DEFAULT_CALLS = 10_000;
    /** New connections, each as the kubelet makes one after a restart: options, then a ListAndWatch stream. */
    static final int CONNECTIONS = 50;
    static final String RESTARTS_PROPERTY = "gpuop.devicePlugin.warmupRestarts";
    /** Rehearsed kubelet restarts: a new server of the resource, registered with a stand-in registration socket. */
    static final int DEFAULT_RESTARTS = 100;
    static final String ROUNDS_PROPERTY = "gpuop.devicePlugin.warmupRounds";
    /** At most this many settling rounds after the calls in a row ({@link JitSettling}). */
    static final int DEFAULT_ROUNDS = 16;
    static final int ROUND_PAIRS = 2_500;
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private KubeletCallWarmup() {
    }

    /** Starts the warm-up against this server unless one ran in this process already. */
    static void startOnce(ResourceServer server) {
        int calls = Integer.getInteger(CALLS_PROPERTY, DEFAULT_CALLS);
        if (calls <= 0 || server.resource().devices().isEmpty() || !STARTED.compareAndSet(false, true)) {
            return;
        }
        Path socket = server.socketPath();
        List<String> ids = server.resource().devices().stream().map(PluginDevice::id).toList();
        Thread.ofPlatform().daemon().name("gpuop-kubelet-call-warmup").start(() -> {
            long t0 = System.nanoTime();
            int done = run(socket, ids, calls, CONNECTIONS);
            int restarts = RestartRehearsal.run(server, Integer.getInteger(RESTARTS_PROPERTY, DEFAULT_RESTARTS));
            String settling = settle(socket, ids, Integer.getInteger(ROUNDS_PROPERTY, DEFAULT_ROUNDS));
            LOG.log(System.Logger.Level.INFO, "kubelet calls warmed up: {0} answered, {1} restarts rehearsed, {2}, in "
                + "{3} ms", done, restarts, settling, (System.nanoTime() - t0) / 1_000_000);
        });
    }

    /**
     * After the calls in a row, rounds of {@link #ROUND_PAIRS} pairs on a new connection, each once the compiler is
     * quiet, until one compiles nothing more ({@link JitSettling}); what it did, for the log.
     */
    static String settle(Path socket, List<String> ids, int maxRounds) {
        JitSettling jit = JitSettling.ofThisJvm();
        if (maxRounds <= 0 || jit == null) {
            return "no settling rounds";
        }
        try {
            JitSettling.Outcome o = jit.run(() -> round(socket, ids, ROUND_PAIRS) > 0, maxRounds);
            String rounds = o.rounds() + " more rounds of " + ROUND_PAIRS + " pairs (compile ms each: "
                + o.compileMillis() + ")";
            return switch (o.end()) {
                case SETTLED -> "the compiler settled after " + rounds;
                case MOST_ROUNDS -> "the compiler still at work after " + rounds;
                case SERVER_GONE -> "settling ended by a new server after " + rounds;
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "settling rounds interrupted";
        }
    }

    /**
     * {@code pairs} GetPreferredAllocation + Allocate pairs, each device in turn, on a new connection with the
     * kubelet's one ListAndWatch stream open, as after its start: the warm-up's calls in a row and each settling
     * round. The pair calls answered (two a pair), or 0 when the server is gone (a round cut short counts for nothing).
     */
    static int round(Path socket, List<String> ids, int pairs) {
        try (KubeletWireClient kubelet = KubeletWireClient.connect(socket)) {
            kubelet.openStream("ListAndWatch", Empty.getDefaultInstance(), ListAndWatchResponse.parser());
            int answered = 0;
            PreferredAllocationRequest preferred = preferredRequest(ids);
            for (int i = 0; i < pairs; i++) {
                pair(kubelet, preferred, ids.get(i % ids.size()));
                answered += 2;
            }
            return answered;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "kubelet calls of the warm-up ended: {0}", e.toString());
            return 0;
        }
    }

    /** The kubelet's preferred-allocation ask for a one-GPU container, every device available. */
    private static PreferredAllocationRequest preferredRequest(List<String> ids) {
        return PreferredAllocationRequest.newBuilder().addContainerRequests(ContainerPreferredAllocationRequest
            .newBuilder().addAllAvailableDeviceIDs(ids).setAllocationSize(1)).build();
    }

    /** The kubelet's two calls for one container start: which device it prefers, then the allocation of one. */
    private static void pair(KubeletWireClient kubelet, PreferredAllocationRequest preferred, String id)
        throws IOException {
        kubelet.call("GetPreferredAllocation", preferred, PreferredAllocationResponse.parser());
        AllocateRequest allocate = AllocateRequest.newBuilder().addContainerRequests(
            ContainerAllocateRequest.newBuilder().addDevicesIds(id)).build();
        kubelet.call("Allocate", allocate, AllocateResponse.parser());
    }

    /**
     * Makes {@code calls} GetPreferredAllocation + Allocate pairs, each device in turn, on one connection with a
     * ListAndWatch stream open, all written as the kubelet's gRPC-Go client writes them ({@link KubeletWireClient});
     * then {@code connections} new connections with a ListAndWatch each. Stops at the first failure (the server
     * stopped: a kubelet restart or a new config replaced it, and the next one needs no second warm-up).
     *
     * @return the calls answered
     */
    static int run(Path socket, List<String> ids, int calls, int connections) {
        int answered = round(socket, ids, calls);
        if (answered == 0) {
            return 0;
        }
        try {
            // after the calls every pod makes: a kubelet restart may replace the server before these are done
            for (int c = 0; c < connections; c++) {
                answered += connectAndWatch(socket);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "warm-up ended after {0} calls: {1}", answered, e.toString());
        }
        return answered;
    }

    /** A new connection as a restarted kubelet makes one: options, then a ListAndWatch stream, then gone. */
    private static int connectAndWatch(Path socket) throws IOException {
        try (KubeletWireClient kubelet = KubeletWireClient.connect(socket)) {
            kubelet.call("GetDevicePluginOptions", Empty.getDefaultInstance(), DevicePluginOptions.parser());
            kubelet.openStream("ListAndWatch", Empty.getDefaultInstance(), ListAndWatchResponse.parser());
            return 2;
        }
    }
}
