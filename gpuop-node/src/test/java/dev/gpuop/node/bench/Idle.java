package dev.gpuop.node.bench;

/** An idle JVM: the floor that the node agent's resident memory is measured against. */
public final class Idle {

    private Idle() {
    }

    public static void main(String[] args) throws InterruptedException {
        Thread.sleep(Long.MAX_VALUE);
    }
}
