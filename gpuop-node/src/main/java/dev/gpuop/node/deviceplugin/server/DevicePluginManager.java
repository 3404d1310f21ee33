package dev.gpuop.node.deviceplugin.server;

import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.node.deviceplugin.config.DevicePluginSettings;
import dev.gpuop.node.deviceplugin.config.InvalidConfigException;
import dev.gpuop.node.deviceplugin.health.HealthTransition;
import dev.gpuop.node.deviceplugin.model.PairScores;
import dev.gpuop.node.deviceplugin.model.ResourcePlanner;
import dev.gpuop.node.deviceplugin.model.ResourceSpec;
import dev.gpuop.node.mps.MpsDaemonSpec;
import dev.gpuop.node.mps.MpsDaemons;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;

/**
 * Runs one {@link ResourceServer} per planned resource and keeps them registered: it waits for {@code kubelet.sock}
 * before the first registration (a kubelet that reports started before its socket exists), and re-registers every
 * resource when the kubelet recreates its socket on restart. A registration the kubelet refuses (it may still hold
 * the connection of the agent this one replaced: "device plugin already connected") is tried again after 1, 2, 4 ...
 * up to 30 seconds, so that a GPU node never stays without its resource until the next kubelet restart. A new config
 * that cannot be honoured is reported and the servers keep the last good one.
 */
public final class DevicePluginManager implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(DevicePluginManager.class.getName());
    /** The kubelet's registration socket, in the device-plugin directory. */
    public static final String KUBELET_SOCKET = "kubelet.sock";

    private final GpuHost host;
    private final Path pluginDir;
    private final Predicate<String> gpuHealthy;
    private final ToIntFunction<String> numaOf;
    private final PluginMetrics metrics;
    private final Clock clock;
    private final List<ResourceServer> servers = new ArrayList<>();
    private DevicePluginSettings settings;
    private volatile String lastError;
    private volatile Instant lastRegistration;
    private KubeletSocketWatcher watcher;
    private ScheduledExecutorService retries;
    private int failedAttempts;
    private MpsDaemons mps;
    /** How many times kubelet.sock was created since the start: a newer one ends a wait for an older one. */
    private final AtomicLong kubeletSockets = new AtomicLong();
    private volatile String mpsProblem;

    public DevicePluginManager(GpuHost host, DevicePluginSettings settings, Path pluginDir,
                               Predicate<String> gpuHealthy, ToIntFunction<String> numaOf, PluginMetrics metrics,
                               Clock clock) {
        this.host = host;
        this.settings = settings;
        this.pluginDir = pluginDir;
        this.gpuHealthy = gpuHealthy;
        this.numaOf = numaOf;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Runs an MPS control daemon for each MPS-shared resource, started before the resource is served (a client that
     * gets a replica finds its daemon) and quit when the plugin stops. Without it, MPS resources are served as
     * time-sliced ones: only tests of the plugin alone leave it out.
     */
    public synchronized DevicePluginManager withMps(MpsDaemons daemons) {
        this.mps = daemons;
        return this;
    }

    /** Why an MPS resource is not served, or null. */
    public String mpsProblem() {
        return mpsProblem;
    }

    /** Plans and serves the resources now, registers once the kubelet's socket exists, and watches for restarts. */
    public synchronized void start() {
        removeStaleSockets();
        serveAll(settings);
        watcher = new KubeletSocketWatcher(pluginDir, this::onKubeletSocket);
        watcher.start();
        if (Files.exists(pluginDir.resolve(KUBELET_SOCKET))) {
            registerAll();
        } else {
            LOG.log(System.Logger.Level.INFO, "waiting for {0}", pluginDir.resolve(KUBELET_SOCKET));
        }
        if (!servers.isEmpty()) {
            KubeletCallWarmup.startOnce(servers.getFirst());
        }
    }

    private void onKubeletSocket() {
        long seen = System.nanoTime();
        // before the lock: a registration waiting for the previous kubelet's socket gives up and lets this one in
        kubeletSockets.incrementAndGet();
        List<ResourceServer> old;
        long served;
        // the connection first: its handshake runs while the new servers start
        try (KubeletDial dial = KubeletDial.open(pluginDir.resolve(KUBELET_SOCKET))) {
            synchronized (this) {
                old = serveAgain();
                served = System.nanoTime();
                failedAttempts = 0;
                register(servers, dial);
            }
        }
        long registered = System.nanoTime();
        // logged after the work, not before it: the log line costs the kubelet nothing this way
        LOG.log(System.Logger.Level.INFO, "kubelet.sock (re)created: every resource served again in {0} ms and "
            + "registered in {1} ms more", ms(served - seen), ms(registered - served));
        old.forEach(ResourceServer::close);
    }

    /**
     * New servers for a restarted kubelet, returning the old ones, which nothing needs any more: the kubelet wiped
     * their sockets and its streams to them died with it, and waiting for them to stop only delayed the GPUs'
     * return. The GPUs, the settings and the MPS daemons are what they were, so nothing is planned again (NUMA nodes
     * read from sysfs, NVLink peers, the resource plan); a failed MPS daemon is the exception, tried again by
     * serveAll.
     */
    private List<ResourceServer> serveAgain() {
        List<ResourceServer> old = List.copyOf(servers);
        servers.clear();
        if (mpsProblem != null) {
            serveAll(settings);
            return old;
        }
        for (ResourceServer previous : old) {
            ResourceServer server = previous.another();
            server.start(pluginDir);
            servers.add(server);
        }
        return old;
    }

    private static String ms(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.2f", nanos / 1e6);
    }

    /** The settings it serves now (the last config it accepted). */
    public synchronized DevicePluginSettings settings() {
        return settings;
    }

    /**
     * Switches to new settings; a config the GPUs cannot honour leaves the servers as they are.
     *
     * @return the error, when the new settings were refused
     */
    public synchronized Optional<String> apply(DevicePluginSettings next) {
        try {
            ResourcePlanner.plan(host.gpus(), next, numaOf);
        } catch (InvalidConfigException e) {
            lastError = "new device plugin config refused, still serving the previous one: " + e.getMessage();
            LOG.log(System.Logger.Level.WARNING, lastError);
            metrics.configRejected();
            return Optional.of(lastError);
        }
        settings = next;
        stopServers();
        serveAll(next);
        if (Files.exists(pluginDir.resolve(KUBELET_SOCKET))) {
            registerAll();
        }
        return Optional.empty();
    }

    private void serveAll(DevicePluginSettings s) {
        List<Gpu> gpus = host.gpus();
        Map<String, Integer> numa = new HashMap<>();
        gpus.forEach(g -> numa.put(g.info().uuid(), numaOf.applyAsInt(g.info().pciBusId())));
        PairScores scores = PairScores.of(gpus, numa);
        List<ResourceSpec> planned = ResourcePlanner.plan(gpus, s, numaOf);
        Map<String, String> mpsFailed = startMps(planned, gpus);
        for (ResourceSpec spec : planned) {
            if (mpsFailed.containsKey(spec.name())) {
                continue;
            }
            ResourceServer server = new ResourceServer(spec, s, scores, gpuHealthy);
            server.start(pluginDir);
            servers.add(server);
        }
    }

    private Map<String, String> startMps(List<ResourceSpec> planned, List<Gpu> gpus) {
        if (mps == null) {
            return Map.of();
        }
        Map<String, Long> memory = new HashMap<>();
        gpus.forEach(g -> memory.put(g.info().uuid(), g.info().memoryTotalMiB()));
        Map<String, String> failed = mps.reconcile(planned.stream().filter(ResourceSpec::mps)
            .map(r -> MpsDaemonSpec.of(r, uuid -> memory.getOrDefault(uuid, 0L))).toList());
        mpsProblem = failed.isEmpty() ? null : String.join("; ", failed.values());
        if (mpsProblem != null) {
            lastError = mpsProblem;
        }
        return failed;
    }

    private void registerAll() {
        register(servers);
    }

    private void register(List<ResourceServer> which) {
        try (KubeletDial dial = KubeletDial.open(pluginDir.resolve(KUBELET_SOCKET))) {
            register(which, dial);
        }
    }

    private void register(List<ResourceServer> which, KubeletDial dial) {
        List<ResourceServer> refused = new ArrayList<>();
        long socketSeen = kubeletSockets.get();
        for (ResourceServer server : which) {
            String name = server.resource().name();
            try {
                KubeletRegistrar.register(pluginDir, server.endpoint(), name, dial,
                    () -> kubeletSockets.get() != socketSeen);
                lastRegistration = clock.instant();
                metrics.registered(name);
                LOG.log(System.Logger.Level.INFO, "registered {0} with {1} devices", name,
                    server.resource().devices().size());
            } catch (RuntimeException e) {
                lastError = "registration of " + name + " failed: " + e.getMessage();
                metrics.registrationFailed(name);
                LOG.log(System.Logger.Level.WARNING, lastError);
                refused.add(server);
            }
        }
        if (refused.isEmpty()) {
            failedAttempts = 0;
        } else {
            retryLater(refused);
        }
    }

    /** The wait before the n-th retry (from 0) of a refused registration. */
    static Duration retryDelay(int attempt) {
        return Duration.ofSeconds(Math.min(30, 1L << Math.min(attempt, 5)));
    }

    private void retryLater(List<ResourceServer> refused) {
        if (retries == null) {
            retries = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("gpuop-register-retry").factory());
        }
        Duration delay = retryDelay(failedAttempts++);
        LOG.log(System.Logger.Level.INFO, "registering {0} again in {1} s",
            refused.stream().map(r -> r.resource().name()).toList(), delay.toSeconds());
        retries.schedule(() -> retry(refused), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void retry(List<ResourceServer> refused) {
        // servers replaced since (a new config, a kubelet restart) registered on their own; without kubelet.sock the
        // socket watcher registers everything when it comes back
        List<ResourceServer> current = refused.stream().filter(servers::contains).toList();
        if (!current.isEmpty() && Files.exists(pluginDir.resolve(KUBELET_SOCKET))) {
            register(current);
        }
    }

    /** Called on every health change: every resource resends its list. */
    public void onHealth(HealthTransition t) {
        metrics.healthTransition(t);
        List<ResourceServer> now;
        synchronized (this) {
            now = List.copyOf(servers);
        }
        now.forEach(ResourceServer::healthChanged);
    }

    /** The resources served now. */
    public synchronized List<ResourceSpec> resources() {
        return servers.stream().map(ResourceServer::resource).toList();
    }

    /** When the last successful registration happened, or null. */
    public Instant lastRegistration() {
        return lastRegistration;
    }

    /** The last error worth telling an admin, or null. */
    public String lastError() {
        return lastError;
    }

    /** Sockets an earlier agent on this node left behind (killed before it could remove them). */
    private void removeStaleSockets() {
        try (Stream<Path> files = Files.list(pluginDir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches("gpuop-.*\\.sock")).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // no directory yet (the kubelet makes it), or one we cannot list: serving will say so
        }
    }

    private void stopServers() {
        servers.forEach(ResourceServer::close);
        servers.clear();
    }

    @Override
    public synchronized void close() {
        if (watcher != null) {
            watcher.close();
        }
        if (retries != null) {
            retries.shutdownNow();
        }
        stopServers();
        if (mps != null) {
            // after the servers: no replica is handed out by a daemon that is going
            mps.close();
        }
    }
}
