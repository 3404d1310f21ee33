package dev.gpuop.testsupport;

import dev.gpuop.kubelet.UnixGrpc;
import dev.gpuop.kubelet.podresources.v1.ListPodResourcesRequest;
import dev.gpuop.kubelet.podresources.v1.ListPodResourcesResponse;
import dev.gpuop.kubelet.podresources.v1.PodResources;
import dev.gpuop.kubelet.podresources.v1.PodResourcesListerGrpc;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The kubelet's pod-resources {@code List} on a Unix socket, answering with the pods a test sets, over the same gRPC
 * as the kubelet: for the GPU metrics' pod attribution where no real kubelet runs (unit tier, benchmarks). The E2E
 * tier asks the real kubelet.
 */
public final class PodResourcesStandIn implements AutoCloseable {

    private final Server server;
    private final AtomicInteger lists = new AtomicInteger();
    private volatile List<PodResources> pods = List.of();

    public PodResourcesStandIn(Path socket) {
        server = UnixGrpc.serve(socket, new PodResourcesListerGrpc.PodResourcesListerImplBase() {
            @Override
            public void list(ListPodResourcesRequest request, StreamObserver<ListPodResourcesResponse> out) {
                lists.incrementAndGet();
                out.onNext(ListPodResourcesResponse.newBuilder().addAllPodResources(pods).build());
                out.onCompleted();
            }
        });
    }

    /** What the next {@code List} answers. */
    public void set(List<PodResources> now) {
        pods = List.copyOf(now);
    }

    /** How many {@code List} calls were answered. */
    public int lists() {
        return lists.get();
    }

    @Override
    public void close() {
        UnixGrpc.stop(server);
    }
}
