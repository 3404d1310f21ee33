package dev.gpuop.operator.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Optional;

/**
 * The operator's informer caches of its operand objects, which {@link OperandApplier} compares the plan with instead
 * of listing each kind from the API server: at 5,000 nodes the 17 lists of one reconcile, one after the other on a
 * busy API server, were most of the time a policy change took to reach the DaemonSets (docs/benchmarks.md). A cache
 * can be a moment behind a write; the applier's writes carry the cached resource version, so a stale one is refused
 * (409) and read again, never written over.
 */
@FunctionalInterface
public interface OperandCache {

    /** No caches: every kind is listed from the API server (the mock tests, the benchmarks' direct reconciles). */
    OperandCache NONE = (kind, key, value) -> Optional.empty();

    /**
     * The cached objects of {@code kind} in the operator's namespace (or cluster-scoped) that carry label
     * {@code key=value}; empty when no informer holds that kind.
     */
    Optional<List<HasMetadata>> list(Class<? extends HasMetadata> kind, String key, String value);
}
