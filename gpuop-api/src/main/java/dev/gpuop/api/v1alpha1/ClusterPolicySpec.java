package dev.gpuop.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What the policy asks for. Section names and fields are NVIDIA's ClusterPolicy's where gpuop does the same job;
 * {@code nfd} and {@code nodeAgent} are gpuop's own. Every section may be absent: the non-getter accessors
 * ({@code driver()}, ...) return an empty section then, so callers never test for null.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClusterPolicySpec {

    private OperatorSpec operator;
    private DaemonsetsSpec daemonsets;
    private DriverSpec driver;
    private ToolkitSpec toolkit;
    private DevicePluginSpec devicePlugin;
    private ComponentSpec gfd;
    private ComponentSpec dcgmExporter;
    private ValidatorSpec validator;
    private MigSpec mig;
    private MigManagerSpec migManager;
    private CdiSpec cdi;
    private NfdSpec nfd;
    private ComponentSpec nodeAgent;

    /** Cluster-wide settings. */
    public OperatorSpec getOperator() {
        return operator;
    }

    public void setOperator(OperatorSpec operator) {
        this.operator = operator;
    }

    /** The operator section, or an empty one. */
    public OperatorSpec operator() {
        return operator == null ? new OperatorSpec(null, null, null, null) : operator;
    }

    /** Settings shared by every DaemonSet. */
    public DaemonsetsSpec getDaemonsets() {
        return daemonsets;
    }

    public void setDaemonsets(DaemonsetsSpec daemonsets) {
        this.daemonsets = daemonsets;
    }

    /** The daemonsets section, or an empty one. */
    public DaemonsetsSpec daemonsets() {
        return daemonsets == null ? new DaemonsetsSpec(null, null, null, null, null, null) : daemonsets;
    }

    /** NVIDIA's driver container; never run on a node whose own driver is loaded. */
    public DriverSpec getDriver() {
        return driver;
    }

    public void setDriver(DriverSpec driver) {
        this.driver = driver;
    }

    /** The driver section, or an empty one. */
    public DriverSpec driver() {
        return driver == null ? new DriverSpec() : driver;
    }

    /** The containerd runtime handler and CDI spec step. */
    public ToolkitSpec getToolkit() {
        return toolkit;
    }

    public void setToolkit(ToolkitSpec toolkit) {
        this.toolkit = toolkit;
    }

    /** The toolkit section, or an empty one. */
    public ToolkitSpec toolkit() {
        return toolkit == null ? new ToolkitSpec() : toolkit;
    }

    /** The device plugin part of the node agent. */
    public DevicePluginSpec getDevicePlugin() {
        return devicePlugin;
    }

    public void setDevicePlugin(DevicePluginSpec devicePlugin) {
        this.devicePlugin = devicePlugin;
    }

    /** The devicePlugin section, or an empty one. */
    public DevicePluginSpec devicePlugin() {
        return devicePlugin == null ? new DevicePluginSpec() : devicePlugin;
    }

    /** GPU feature labels from the node agent. */
    public ComponentSpec getGfd() {
        return gfd;
    }

    public void setGfd(ComponentSpec gfd) {
        this.gfd = gfd;
    }

    /** The gfd section, or an empty one. */
    public ComponentSpec gfd() {
        return gfd == null ? new ComponentSpec() : gfd;
    }

    /** The node agent's metrics exporter (DCGM names). */
    public ComponentSpec getDcgmExporter() {
        return dcgmExporter;
    }

    public void setDcgmExporter(ComponentSpec dcgmExporter) {
        this.dcgmExporter = dcgmExporter;
    }

    /** The dcgmExporter section, or an empty one. */
    public ComponentSpec dcgmExporter() {
        return dcgmExporter == null ? new ComponentSpec() : dcgmExporter;
    }

    /** The node checks. */
    public ValidatorSpec getValidator() {
        return validator;
    }

    public void setValidator(ValidatorSpec validator) {
        this.validator = validator;
    }

    /** The validator section, or an empty one. */
    public ValidatorSpec validator() {
        return validator == null ? new ValidatorSpec() : validator;
    }

    /** How MIG devices are advertised. */
    public MigSpec getMig() {
        return mig;
    }

    public void setMig(MigSpec mig) {
        this.mig = mig;
    }

    /** The mig section, or an empty one. */
    public MigSpec mig() {
        return mig == null ? new MigSpec(null) : mig;
    }

    /** NVIDIA's MIG manager. */
    public MigManagerSpec getMigManager() {
        return migManager;
    }

    public void setMigManager(MigManagerSpec migManager) {
        this.migManager = migManager;
    }

    /** The migManager section, or an empty one. */
    public MigManagerSpec migManager() {
        return migManager == null ? new MigManagerSpec() : migManager;
    }

    /** Container Device Interface. */
    public CdiSpec getCdi() {
        return cdi;
    }

    public void setCdi(CdiSpec cdi) {
        this.cdi = cdi;
    }

    /** The cdi section, or an empty one. */
    public CdiSpec cdi() {
        return cdi == null ? new CdiSpec(null, null) : cdi;
    }

    /** Whether an NFD in the cluster marks GPU nodes. */
    public NfdSpec getNfd() {
        return nfd;
    }

    public void setNfd(NfdSpec nfd) {
        this.nfd = nfd;
    }

    /** The nfd section, or an empty one. */
    public NfdSpec nfd() {
        return nfd == null ? new NfdSpec(null) : nfd;
    }

    /** gpuop's node agent itself (its image defaults to the operator's own). */
    public ComponentSpec getNodeAgent() {
        return nodeAgent;
    }

    public void setNodeAgent(ComponentSpec nodeAgent) {
        this.nodeAgent = nodeAgent;
    }

    /** The nodeAgent section, or an empty one. */
    public ComponentSpec nodeAgent() {
        return nodeAgent == null ? new ComponentSpec() : nodeAgent;
    }
}
