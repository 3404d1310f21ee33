package dev.gpuop.node.agent;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** The agent's periodic parts each run on one daemon thread of their own, named in thread dumps. */
final class AgentTimers {

    private AgentTimers() {
    }

    static ScheduledExecutorService daemon(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }
}
