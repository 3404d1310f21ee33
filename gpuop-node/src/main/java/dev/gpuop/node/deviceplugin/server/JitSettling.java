package dev.gpuop.node.deviceplugin.server;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Repeats a round of the kubelet's calls, each after the JIT compiler has gone quiet, until a round makes it compile
 * nothing more. Why rounds and pauses: while the warm-up's calls come back to back, the optimising compiler's queue is
 * long, and HotSpot then raises the invocation counts a method needs before that compiler takes it (its thresholds
 * scale with the queue) and compiles newly hot methods with a cheaper profile first; the counts are looked at again
 * only every thousand or two calls of a method. So after 10,000 pairs in a row the hottest per-call methods of the
 * server (netty's HTTP/2 header read, gRPC's deframer, the selector loop) were still in the first compiler's
 * profiled code, and they moved to the optimising compiler during the kubelet's own calls, one method every call or
 * two for the first 200 calls (seen with -XX:+PrintCompilation against bench/kubelet-go-client). A round made with
 * the queue empty lets each such method cross its threshold at the next look.
 */
final class JitSettling {

    /** One round of calls; false when the server is gone and the warm-up should end. */
    @FunctionalInterface
    interface Round {
        boolean run();
    }

    /** Why the rounds ended. */
    enum End {
        /** The last round compiled under {@link #QUIET_MILLIS}. */
        SETTLED,
        /** The most rounds allowed were made, the compiler still at work after the last. */
        MOST_ROUNDS,
        /** A round found the server gone (a kubelet restart or a new config replaced it). */
        SERVER_GONE
    }

    /**
     * What the settling did.
     *
     * @param compileMillis the compiler's time during each round and the wait after it, in order
     * @param end why the rounds ended
     */
    record Outcome(List<Long> compileMillis, End end) {
        int rounds() {
            return compileMillis.size();
        }
    }

    /**
     * A round that adds less compile time than this counts as quiet (the agent's other threads compile a small method
     * now and then). In the agent's pod on the H200 its other work kept the last rounds at 9 to 90 ms, and the
     * warm-up ended at the most rounds instead (docs/benchmarks.md).
     */
    static final long QUIET_MILLIS = 3;
    private static final long POLL_MILLIS = 100;
    private static final long MAX_WAIT_MILLIS = 5_000;

    private final LongSupplier compileMillis;
    private final Sleeper sleeper;

    /** Pauses the warm-up's thread; a test passes one that advances a fake compiler. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    JitSettling(LongSupplier compileMillis, Sleeper sleeper) {
        this.compileMillis = compileMillis;
        this.sleeper = sleeper;
    }

    /**
     * This JVM's compiler, through its management bean; null where the JVM reports no compile time (an interpreter
     * only JVM, or one without the measure), and then the warm-up makes no extra rounds.
     */
    static JitSettling ofThisJvm() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return null;
        }
        return new JitSettling(jit::getTotalCompilationTime, Thread::sleep);
    }

    /** Runs rounds until one is quiet, the round says stop, or {@code maxRounds} were made. */
    Outcome run(Round round, int maxRounds) throws InterruptedException {
        List<Long> perRound = new ArrayList<>();
        long before = awaitQuiet();
        while (perRound.size() < maxRounds) {
            if (!round.run()) {
                return new Outcome(perRound, End.SERVER_GONE);
            }
            long after = awaitQuiet();
            perRound.add(after - before);
            if (after - before < QUIET_MILLIS) {
                return new Outcome(perRound, End.SETTLED);
            }
            before = after;
        }
        return new Outcome(perRound, End.MOST_ROUNDS);
    }

    /**
     * Waits until the compiler's total time stops growing (three readings a poll apart agree: the total grows when a
     * compilation ends, and one of a large method takes tens of milliseconds), at most {@link #MAX_WAIT_MILLIS}; its
     * total then.
     */
    long awaitQuiet() throws InterruptedException {
        long last = compileMillis.getAsLong();
        int unchanged = 0;
        for (long waited = 0; waited < MAX_WAIT_MILLIS && unchanged < 2; waited += POLL_MILLIS) {
            sleeper.sleep(POLL_MILLIS);
            long now = compileMillis.getAsLong();
            unchanged = now == last ? unchanged + 1 : 0;
            last = now;
        }
        return last;
    }
}
