package dev.gpuop.node.mps;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The MPS control daemons of the node, one per MPS-shared resource, kept in line with the device plugin's plan: a
 * daemon whose resource, GPUs and replicas did not change keeps running (its clients with it) across a config switch
 * or a kubelet restart; one no longer planned is quit; a new one is started before its resource is served.
 */
public final class MpsDaemons implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(MpsDaemons.class.getName());

    private final Path root;
    private final Supplier<MpsDriverTools> tools;
    private final Map<String, MpsControlDaemon> running = new LinkedHashMap<>();

    /**
     * @param root the MPS root as this process sees it
     * @param tools finds the driver's tools when a daemon is first needed (a node without MPS never looks)
     */
    public MpsDaemons(Path root, Supplier<MpsDriverTools> tools) {
        this.root = root;
        this.tools = tools;
    }

    /**
     * Runs exactly the wanted daemons.
     *
     * @return why, by resource, for each wanted daemon that is not running (its resource must not be served)
     */
    public synchronized Map<String, String> reconcile(List<MpsDaemonSpec> wanted) {
        Map<String, MpsDaemonSpec> byResource = new LinkedHashMap<>();
        wanted.forEach(s -> byResource.put(s.resource(), s));
        for (String resource : List.copyOf(running.keySet())) {
            MpsDaemonSpec want = byResource.get(resource);
            if (want == null || !want.equals(running.get(resource).spec())) {
                stop(running.remove(resource));
            }
        }
        Map<String, String> failed = new LinkedHashMap<>();
        for (MpsDaemonSpec spec : byResource.values()) {
            if (running.containsKey(spec.resource())) {
                continue;
            }
            try {
                MpsControlDaemon d = new MpsControlDaemon(spec, root, tools.get());
                d.start();
                running.put(spec.resource(), d);
            } catch (IOException | RuntimeException e) {
                failed.put(spec.resource(), "the MPS control daemon for " + spec.resource() + " did not start: "
                    + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed.put(spec.resource(), "interrupted while starting the MPS control daemon");
            }
        }
        failed.values().forEach(m -> LOG.log(System.Logger.Level.WARNING, m));
        return failed;
    }

    /** The daemons running now, by resource. */
    public synchronized Map<String, MpsDaemonSpec> running() {
        Map<String, MpsDaemonSpec> out = new LinkedHashMap<>();
        running.forEach((r, d) -> out.put(r, d.spec()));
        return out;
    }

    private static void stop(MpsControlDaemon d) {
        try {
            d.quit();
            LOG.log(System.Logger.Level.INFO, "MPS daemon for {0} quit", d.spec().resource());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "MPS daemon for " + d.spec().resource() + ": quit failed: "
                + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Quits every daemon. */
    @Override
    public synchronized void close() {
        running.values().forEach(MpsDaemons::stop);
        running.clear();
    }
}
