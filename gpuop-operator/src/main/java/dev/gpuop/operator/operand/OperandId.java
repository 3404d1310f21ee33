package dev.gpuop.operator.operand;

/** The operands, in the order they are applied. */
public enum OperandId {
    /** Service accounts, RBAC, the RuntimeClass and the node agent's config. */
    PREREQUISITES("prerequisites"),
    /** Finds GPU nodes by their PCI bus when no NFD does. */
    NODE_DISCOVERY("node-discovery"),
    /** NVIDIA's driver container, only where no host driver is loaded. */
    DRIVER("driver"),
    /** gpuop's node agent (toolkit step, device plugin, node report). */
    NODE_AGENT("node-agent"),
    /** NVIDIA's MIG manager on MIG-capable nodes. */
    MIG_MANAGER("mig-manager");

    /** The label every object of an operand carries, so a disabled operand's objects can be found and deleted. */
    public static final String LABEL = "gpuop.dev/operand";

    private final String id;

    OperandId(String id) {
        this.id = id;
    }

    /** The name in labels, status and resource paths. */
    public String id() {
        return id;
    }
}
