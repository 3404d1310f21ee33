package dev.gpuop.operator.model;

import dev.gpuop.api.v1alpha1.DriverUpgradePolicySpec;
import java.util.List;

/** Checks {@code spec.driver.upgradePolicy}: counts and timeouts that cannot be negative, a budget that parses. */
final class UpgradePolicyValidator {

    private static final String FIELD = "spec.driver.upgradePolicy";

    private UpgradePolicyValidator() {
    }

    static void validate(DriverUpgradePolicySpec p, List<PolicyProblem> problems) {
        notNegative(FIELD + ".maxParallelUpgrades", p.maxParallelUpgrades(), "0 means no limit", problems);
        if (p.maxUnavailable() != null) {
            Object v = p.maxUnavailable().getIntVal() != null ? p.maxUnavailable().getIntVal()
                : p.maxUnavailable().getStrVal();
            if (v instanceof Integer i ? i < 0 : !PolicyValidator.isBudget(String.valueOf(v).strip())) {
                problems.add(new PolicyProblem(FIELD + ".maxUnavailable", "'" + v + "' is neither a count nor a "
                    + "percentage like 25%"));
            }
        }
        if (p.waitForCompletion() != null) {
            notNegative(FIELD + ".waitForCompletion.timeoutSeconds", p.waitForCompletion().timeoutSeconds(),
                "0 waits for ever", problems);
        }
        if (p.podDeletion() != null) {
            notNegative(FIELD + ".podDeletion.timeoutSeconds", p.podDeletion().timeoutSeconds(), "", problems);
        }
        if (p.drain() != null) {
            notNegative(FIELD + ".drain.timeoutSeconds", p.drain().timeoutSeconds(), "", problems);
        }
    }

    private static void notNegative(String field, Integer v, String hint, List<PolicyProblem> problems) {
        if (v != null && v < 0) {
            problems.add(new PolicyProblem(field, "must be 0 or more, got " + v + (hint.isEmpty() ? "" : "; "
                + hint)));
        }
    }
}
