package dev.gpuop.operator.plan;

import dev.gpuop.operator.operand.OperandId;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/**
 * One operand's wanted objects.
 *
 * @param id the operand
 * @param enabled whether the policy enables it (a disabled one wants no objects)
 * @param objects the objects, stamped and ready to apply
 * @param kinds every kind it may own, for finding leftovers to delete
 */
public record OperandPlan(OperandId id, boolean enabled, List<HasMetadata> objects,
                          List<Class<? extends HasMetadata>> kinds) {

    public OperandPlan {
        objects = List.copyOf(objects);
        kinds = List.copyOf(kinds);
    }
}
