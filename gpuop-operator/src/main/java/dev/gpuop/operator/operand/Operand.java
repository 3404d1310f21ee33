package dev.gpuop.operator.operand;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/**
 * One operand: a typed class that says whether the policy enables it and which objects it wants. A disabled
 * operand wants nothing, and the controller deletes what it had through the same path that applies (no separate
 * removal code). Implementations are pure: no API calls.
 */
public sealed interface Operand permits Prerequisites, NodeDiscoveryOperand, DriverOperand, NodeAgentOperand,
    MigManagerOperand {

    /** Which operand this is. */
    OperandId id();

    /** Whether the policy enables it. */
    boolean enabled(RenderContext ctx);

    /** The objects it wants, fully set (namespace, labels, images); empty when disabled. */
    List<HasMetadata> desired(RenderContext ctx);

    /** Every kind of object it may own, so the controller can find leftovers to delete. */
    List<Class<? extends HasMetadata>> kinds();

    /** The operands in apply order. */
    static List<Operand> all() {
        return List.of(new Prerequisites(), new NodeDiscoveryOperand(), new DriverOperand(), new NodeAgentOperand(),
            new MigManagerOperand());
    }
}
