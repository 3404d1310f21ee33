package dev.gpuop.operator.controller;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Writes label changes, one JSON merge patch per changed node (a null value removes the label), many at once: a
 * policy change that touches 5,000 nodes must not take 5,000 round trips in a row. Nodes without changes are never
 * in the map, so a steady cluster costs nothing here.
 */
final class NodeLabelWriter {

    /** Patches in flight at once; the API server's default max-mutating-requests-inflight is 200. */
    static final int PARALLEL = 32;

    /** A plain mapper: it keeps the null values that remove labels in a merge patch. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;

    NodeLabelWriter(KubernetesClient client) {
        this.client = client;
    }

    /** Patches every node in the map; the first failure is thrown after all patches ran. */
    void write(Map<String, Map<String, String>> changes, ApiCalls calls) {
        if (changes.isEmpty()) {
            return;
        }
        Semaphore slots = new Semaphore(PARALLEL);
        List<Future<?>> done = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            changes.forEach((node, labels) -> done.add(pool.submit(() -> {
                // Callable, so the checked JSON exception travels in the Future
                slots.acquireUninterruptibly();
                try {
                    calls.write();
                    String patch = JSON.writeValueAsString(Map.of("metadata", Map.of("labels", labels)));
                    client.nodes().withName(node).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
                } finally {
                    slots.release();
                }
                return null;
            })));
        }
        for (Future<?> f : done) {
            try {
                f.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while labelling nodes", e);
            }
        }
    }
}
