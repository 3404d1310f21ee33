package dev.gpuop.node.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.gpuop.gpu.DriverLibraries;
import dev.gpuop.gpu.DriverRoot;
import dev.gpuop.node.cdi.CdiOptions;
import dev.gpuop.node.validation.NodeValidator;
import dev.gpuop.gpu.DriverLibraryNotFoundException;
import dev.gpuop.gpu.GpuException;
import dev.gpuop.gpu.GpuHost;
import dev.gpuop.gpu.GpuHosts;
import dev.gpuop.gpu.host.HostProbe;
import dev.gpuop.node.exporter.DcgmExporter;
import dev.gpuop.node.labels.HostFacts;
import dev.gpuop.node.labels.NodeLabels;
import dev.gpuop.node.deviceplugin.config.DevicePluginConfigs;
import dev.gpuop.node.deviceplugin.config.DevicePluginSettings;
import dev.gpuop.node.deviceplugin.health.GpuHealthTracker;
import dev.gpuop.node.deviceplugin.health.HealthMonitor;
import dev.gpuop.node.deviceplugin.health.XidPolicy;
import dev.gpuop.node.deviceplugin.server.DevicePluginManager;
import dev.gpuop.node.mps.MpsDaemons;
import dev.gpuop.node.mps.MpsDriverTools;
import dev.gpuop.node.deviceplugin.server.PluginMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The node agent process: opens the GPUs, runs the enabled parts (today the device plugin and its health monitor),
 * serves health and metrics, and stops cleanly. A node whose driver cannot be read keeps running and says why on
 * {@code /readyz} when the device plugin's {@code failOnInitError} is false; otherwise it exits with the reason.
 */
public final class NodeAgent implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(NodeAgent.class.getName());

    private final NodeAgentConfig config;
    private final String simulate;
    private final Map<String, String> env;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private volatile GpuHost host;
    private HealthMonitor health;
    private volatile DevicePluginManager plugin;
    private volatile DcgmExporter exporter;
    /** The device plugin config the labels describe when the device plugin itself is off on this node. */
    private volatile DevicePluginSettings labelSettings;
    private AgentHttpServer http;
    private volatile DevicePluginConfigWatch configWatch;
    private NodeLabelWatch nodeWatch;
    private volatile MigConfigWatch migWatch;
    private PluginMetrics pluginMetrics;
    private NodeReporter reporter;
    private CdiSpecRefresher cdiRefresher;
    private ValidationRunner validation;
    private volatile boolean driverPreinstalled;
    private volatile boolean nvidiaOnPci;
    /** Read once the GPUs are: the host's files GFD's labels need, and the labels' timestamp (GFD: its start). */
    private volatile HostFacts hostFacts;
    private final long startedAtSeconds = java.time.Instant.now().getEpochSecond();
    private volatile String notReady = "starting";
    private volatile Duration initRetry = Duration.ofSeconds(30);
    private volatile boolean closed;
    private Thread openRetry;

    public NodeAgent(NodeAgentConfig config, String simulate, Map<String, String> env) {
        this.config = config;
        this.simulate = simulate;
        this.env = env;
    }

    /** Starts every enabled part. */
    public synchronized void start() {
        http = new AgentHttpServer(config.server().portOrDefault(), () -> Optional.ofNullable(notReadyReason()),
            registry);
        ApiServerClient api = apiServer();
        if (api != null) {
            // before the parts: the node's labels may pick its device plugin config
            nodeWatch = new NodeLabelWatch(api, config.nodeName(), labels -> {
                DevicePluginConfigWatch w = configWatch;
                if (w != null) {
                    w.checkNow();
                }
                checkMigLayout(labels);
            });
            nodeWatch.start();
            NodeAgentConfig.MigManager mig = config.migManager();
            if (mig != null && mig.isEnabled() && !config.isDiscoveryOnly()) {
                Path migConfig = mig.configFile() == null ? null : Path.of(mig.configFile());
                migWatch = new MigConfigWatch(migConfig, new MigPause(),
                    MigConfigWatch.patching(api, config.nodeName()));
            }
        }
        prepareValidation(api);
        startParts();
        if (migWatch != null) {
            // the label as the agent found it: a change made while no agent ran (or before a reboot) is applied now
            Thread.ofPlatform().daemon().name("gpuop-mig-start").start(() -> checkMigLayout(nodeLabels()));
        }
        startValidationRounds();
        if (api != null) {
            reporter = new NodeReporter(api, config.nodeName(), this::report);
            reporter.start();
        }
    }

    /** Applies the MIG layout the labels name, if the MIG manager part runs and the GPUs are open. */
    private void checkMigLayout(Map<String, String> labels) {
        MigConfigWatch w = migWatch;
        GpuHost h = host;
        if (w == null || h == null || labels == null) {
            return;
        }
        try {
            w.onLabels(labels, h.gpus());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "MIG layout not applied: " + e);
        }
    }

    /**
     * The device plugin's pause around a MIG change: the parts that hold the GPUs' devices stop (the kubelet sees
     * the plugin go and no pod gets a device that is about to vanish), the GPUs are read again afterwards, and the
     * parts start with the new MIG devices, on the device plugin config they had.
     */
    private final class MigPause implements MigConfigWatch.Agent {

        private DevicePluginSettings settings;

        @Override
        public List<dev.gpuop.gpu.Gpu> pause() {
            synchronized (NodeAgent.this) {
                notReady = "MIG layout changing (" + MigConfigWatch.CONFIG_LABEL + ")";
                settings = plugin == null ? labelSettings : plugin.settings();
                for (AutoCloseable c : new AutoCloseable[] {configWatch, exporter, health, plugin}) {
                    closeQuietly(c);
                }
                configWatch = null;
                exporter = null;
                health = null;
                plugin = null;
                return host.gpus();
            }
        }

        @Override
        public void resume() {
            synchronized (NodeAgent.this) {
                GpuHost old = host;
                try {
                    host = GpuHosts.open(simulate, DriverLibraries.standard());
                } catch (DriverLibraryNotFoundException | GpuException e) {
                    notReady = cannotRead(e);
                    return;
                }
                closeQuietly(old);
                startWithHost(config.devicePlugin(), settings);
                if (cdiRefresher != null) {
                    cdiRefresher.migLayoutChanged();
                }
            }
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "while stopping: " + e.getMessage());
        }
    }

    /** The API server, where the agent runs in a pod of a cluster and knows its node; else null. */
    private ApiServerClient apiServer() {
        if (config.nodeName() == null) {
            return null;
        }
        try {
            return ApiServerClient.inCluster(env).orElse(null);
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            LOG.log(System.Logger.Level.WARNING, "no report on the Node object and no workload check: the service "
                + "account cannot be read: " + e.getMessage());
            return null;
        }
    }

    /** What the agent tells the operator on its Node object. */
    public NodeReport report() {
        String why = notReadyReason();
        int gpus = host == null ? 0 : host.gpus().size();
        return new NodeReport(driverPreinstalled, gpus, why == null, why == null ? "" : why, nvidiaOnPci || gpus > 0,
            featureLabels(), validation == null ? "" : NodeValidator.verdict(validation.last()));
    }

    /**
     * GFD's labels as of now: the device plugin's current config decides sharing and the MIG strategy, so a config
     * switch relabels the node on the next report (written only where a value changed).
     */
    private Map<String, String> featureLabels() {
        HostFacts facts = hostFacts;
        if (facts == null || host == null) {
            return Map.of();
        }
        return NodeLabels.of(host, plugin == null ? labelSettings : plugin.settings(), facts, startedAtSeconds);
    }

    /**
     * Where the host's root is in this process: {@code GPUOP_HOST_ROOT} (the DaemonSet mounts it at {@code /host}),
     * else {@code /}. A pod's own root shows neither the host's driver files nor a driver container's mount.
     */
    private Path hostRoot() {
        String v = env.get(DriverLibraries.HOST_ROOT_ENV);
        return v == null || v.isBlank() ? Path.of("/") : Path.of(v);
    }

    /**
     * The node checks and their status files, where the config names a dir and the agent serves GPUs. The CUDA
     * check's child starts now, alongside the agent's own start; the rounds start once the GPUs are open.
     */
    private void prepareValidation(ApiServerClient api) {
        NodeAgentConfig.Validation v = config.validation();
        if (v == null || v.dir() == null || config.isDiscoveryOnly()) {
            return;
        }
        NodeAgentConfig.Cdi cdi = config.cdiOrOff();
        Path kubeletDir = Path.of(config.devicePlugin().kubeletDirPath().toString()).getParent();
        AgentValidation.Places places = new AgentValidation.Places(hostRoot(),
            AgentValidation.containerdSocket(envOf("CONTAINERD_SOCKET"), hostRoot()),
            kubeletDir.resolve("pod-resources/kubelet.sock").toString(),
            Optional.ofNullable(envOf("CONTAINERD_RUNTIME_CLASS")).orElse(AgentValidation.DEFAULT_HANDLER),
            cdi.isEnabled() ? cdi.specDirPath() : null, v.cudaOrDefault());
        NodeAgentConfig.Workload w = v.workload();
        AgentValidation checks = new AgentValidation(places, AgentValidation.childJvm(hostRoot(),
            Path.of(System.getProperty("java.io.tmpdir"), "gpuop-driver-libs")),
            w == null || api == null ? null : new WorkloadPodRunner(api, config.nodeName(),
                w.settings(env.get("POD_NAME") == null || env.get("POD_UID") == null ? null
                    : env.get("POD_NAME") + "/" + env.get("POD_UID")), simulate != null));
        validation = new ValidationRunner(Path.of(v.dir()),
            force -> checks.validate(host, notReady, simulate != null, plugin, config.devicePlugin().isEnabled(),
                force),
            () -> CdiOptions.mountedHost(hostRoot(), Path.of("/proc")).onHost(DriverRoot.find(hostRoot())));
        if (simulate == null && v.cudaOrDefault()) {
            checks.startCudaEarly();
        }
        http.onValidate(() -> validation.run(true));
    }

    /** The first round as soon as the GPUs are open (or could not be), then on the runner's timer. */
    private void startValidationRounds() {
        if (validation != null) {
            validation.start(config.validation().intervalOrDefault());
        }
    }

    /** The first of NVIDIA's names for a setting that is set. */
    private String envOf(String... names) {
        for (String n : names) {
            String v = env.get(n);
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    private void startParts() {
        // first, whatever runs: the operator must never start its driver container next to a host driver
        driverPreinstalled = simulate != null || DriverInstallation.hostDriverLoaded(hostRoot());
        nvidiaOnPci = simulate != null || !HostProbe.ofThisHost().probe().pciGpus().isEmpty();
        if (config.isDiscoveryOnly()) {
            notReady = "discovery only: the node agent DaemonSet takes over once the node is labelled "
                + "nvidia.com/gpu.present=true";
            LOG.log(System.Logger.Level.INFO, "discovery: NVIDIA GPU on the PCI bus: {0}, host driver loaded: {1}",
                nvidiaOnPci, driverPreinstalled);
            return;
        }
        NodeAgentConfig.DevicePlugin dp = config.devicePlugin();
        if (!dp.isEnabled() && !config.exporterEnabled() && !config.featureLabelsEnabled()) {
            notReady = null;
            return;
        }
        DevicePluginSettings settings = initialSettings(dp);
        labelSettings = settings;
        NodeAgentConfig.Cdi cdi = config.cdiOrOff();
        if (dp.isEnabled() && cdi.isEnabled()) {
            // before the device plugin registers: no GPU is handed out by a CDI name the spec lacks
            cdiRefresher = new CdiSpecRefresher(hostRoot(), Path.of("/proc"),
                envOf("NVIDIA_DRIVER_ROOT", "DRIVER_ROOT"), envOf("NVIDIA_DEV_ROOT", "DEV_ROOT"), simulate,
                cdi.specDirPath(), cdi.toolkitStateDirPath());
            cdiRefresher.start(cdi.interval());
        }
        try {
            host = GpuHosts.open(simulate, DriverLibraries.standard());
            // driver, toolkit and CUDA can pass before the device plugin registers
            startValidationRounds();
        } catch (DriverLibraryNotFoundException | GpuException e) {
            notReady = cannotRead(e);
            if (settings.failOnInitError()) {
                throw e;
            }
            LOG.log(System.Logger.Level.WARNING, notReady + "; failOnInitError is false, so trying again every "
                + initRetry.toSeconds() + " s");
            retryOpen(dp, settings);
            return;
        }
        startWithHost(dp, settings);
    }

    private static String cannotRead(RuntimeException e) {
        return "cannot read the GPUs (" + HostProbe.ofThisHost().probe().verdict() + "): " + e.getMessage();
    }

    /**
     * NVIDIA's {@code failOnInitError: false}: the agent stays up, says why on {@code /readyz}, and opens the GPUs
     * again every {@link #initRetry} until it can (a driver container that finishes installing, a driver loaded by
     * hand), then starts its parts as at a normal start. Before, it waited forever with {@code /healthz} green.
     */
    private void retryOpen(NodeAgentConfig.DevicePlugin dp, DevicePluginSettings settings) {
        openRetry = Thread.ofPlatform().daemon().name("gpuop-gpu-open-retry").start(() -> {
            while (!closed) {
                try {
                    Thread.sleep(initRetry);
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    GpuHost opened = GpuHosts.open(simulate, DriverLibraries.standard());
                    synchronized (this) {
                        if (closed) {
                            opened.close();
                            return;
                        }
                        host = opened;
                        startWithHost(dp, settings);
                    }
                    return;
                } catch (DriverLibraryNotFoundException | GpuException e) {
                    notReady = cannotRead(e);
                } catch (RuntimeException e) {
                    // a driver caught mid-install (a library half written): the next try sees the finished one;
                    // letting the thread die would leave the node waiting forever with /healthz green
                    notReady = "cannot read the GPUs: " + e.getMessage();
                    LOG.log(System.Logger.Level.WARNING, notReady + "; trying again");
                }
            }
        });
    }

    /** How often a node whose GPUs could not be read tries again (tests shorten it). */
    void initRetryInterval(Duration d) {
        initRetry = d;
    }

    /** The parts that need the GPUs, once they can be read. */
    private void startWithHost(NodeAgentConfig.DevicePlugin dp, DevicePluginSettings settings) {
        // each part runs without the others: metrics and labels need the GPUs, not the device plugin
        if (dp.isEnabled()) {
            startDevicePlugin(dp, settings);
        }
        notReady = null;
        if (config.exporterEnabled()) {
            exporter = new DcgmExporter(host, config.nodeName(), podResourcesSocket());
            exporter.start(config.exporterOrDefault().portOrDefault());
        }
        if (config.featureLabelsEnabled()) {
            // facts of the host's files (machine, PCI mode, vGPU): read once, as GFD reads them per start
            hostFacts = HostFacts.read(hostRoot(), host.gpus().stream().map(g -> g.info()).toList(), null);
        }
        LOG.log(System.Logger.Level.INFO, "node agent up: {0} GPU(s), device plugin {1}, GPU metrics {2}, "
            + "feature labels {3}", host.gpus().size(), plugin == null ? "off" : plugin.resources().stream()
            .map(r -> r.name() + "=" + r.devices().size()).toList(),
            exporter == null ? "off" : "on port " + exporter.port(), config.featureLabelsEnabled() ? "on" : "off");
    }

    private void startDevicePlugin(NodeAgentConfig.DevicePlugin dp, DevicePluginSettings settings) {
        GpuHealthTracker tracker = new GpuHealthTracker(XidPolicy.fromEnv(env), dp.recoveryPeriod(),
            host.gpus().stream().map(g -> g.info().uuid()).toList());
        Path root = Path.of("/");
        if (pluginMetrics == null) {
            pluginMetrics = new PluginMetrics(registry);
        }
        plugin = new DevicePluginManager(host, settings, dp.kubeletDirPath(), tracker::isHealthy,
            busId -> NumaNodes.of(root, busId), pluginMetrics, Clock.systemUTC())
            .withMps(new MpsDaemons(Path.of(dp.mpsDir() == null ? settings.mpsRoot() : dp.mpsDir()),
                () -> MpsDriverTools.find(DriverRoot.find(hostRoot()))));
        health = new HealthMonitor(host, tracker, dp.pollInterval(), Clock.systemUTC(), plugin::onHealth);
        plugin.start();
        health.start(XidPolicy.fromEnv(env).watchesXids());
        if (dp.configFile() != null) {
            configWatch = new DevicePluginConfigWatch(Path.of(dp.configFile()), this::nodeLabels, env, plugin);
            configWatch.start();
        }
    }

    /**
     * The kubelet's pod-resources socket, next to its device-plugin directory, as this process reaches it: under the
     * host's root, which the DaemonSet mounts (the pod has no mount of its own for it).
     */
    private Path podResourcesSocket() {
        return DriverRoot.under(hostRoot(),
            config.devicePlugin().kubeletDirPath().getParent().resolve("pod-resources/kubelet.sock").toString());
    }

    /** This node's labels as last seen, or null outside a cluster or before the first read. */
    private Map<String, String> nodeLabels() {
        NodeLabelWatch w = nodeWatch;
        return w == null ? null : w.labels();
    }

    private DevicePluginSettings initialSettings(NodeAgentConfig.DevicePlugin dp) {
        if (dp.configFile() != null) {
            // the node's own config when its label names one that exists, else the default
            Map<String, String> labels = nodeLabels();
            String named = labels == null ? null : labels.get(DevicePluginConfigWatch.CONFIG_LABEL);
            Path own = named == null || named.isBlank() ? null : Path.of(dp.configFile()).resolveSibling(named);
            if (own != null && Files.exists(own)) {
                return DevicePluginConfigs.load(own, env);
            }
            if (Files.exists(Path.of(dp.configFile()))) {
                return DevicePluginConfigs.load(Path.of(dp.configFile()), env);
            }
        }
        if (dp.config() != null && !dp.config().isNull()) {
            try {
                String yaml = new ObjectMapper(new YAMLFactory()).writeValueAsString(dp.config());
                return DevicePluginConfigs.parse(yaml, "devicePlugin.config", env);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return DevicePluginSettings.fromEnv(env);
    }

    private String notReadyReason() {
        if (notReady != null) {
            return notReady;
        }
        DevicePluginConfigWatch w = configWatch;
        if (w != null && w.problem() != null) {
            return w.problem();
        }
        MigConfigWatch mig = migWatch;
        if (mig != null && mig.problem() != null) {
            return mig.problem();
        }
        if (plugin != null && plugin.mpsProblem() != null) {
            return plugin.mpsProblem();
        }
        if (plugin != null && plugin.lastRegistration() == null) {
            return "device plugin not registered with the kubelet yet"
                + (plugin.lastError() == null ? "" : ": " + plugin.lastError());
        }
        return null;
    }

    /** The port of /healthz, /readyz, /metrics. */
    public int httpPort() {
        return http.port();
    }

    /** The GPU metrics part, when it runs. */
    public Optional<DcgmExporter> exporter() {
        return Optional.ofNullable(exporter);
    }

    /** The device plugin, when it runs. */
    public Optional<DevicePluginManager> devicePlugin() {
        return Optional.ofNullable(plugin);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (openRetry != null) {
            openRetry.interrupt();
        }
        // the host last but one: the event watchers free their event sets before NVML shuts down
        for (AutoCloseable c : new AutoCloseable[] {reporter, nodeWatch, validation, configWatch, cdiRefresher,
            exporter, health, plugin, host, http}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.log(System.Logger.Level.WARNING, "while stopping: " + e.getMessage());
                }
            }
        }
    }
}
