package dev.gpuop.operator.model;

import dev.gpuop.api.v1alpha1.EnvVar;
import dev.gpuop.api.v1alpha1.ValidatorSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The policy's {@code validator} section (NVIDIA's keys) as the node agent's checks honour it. gpuop's checks run
 * inside the node agent; the only pod is the workload check's, so the image keys name its image, and resources and
 * arguments are refused, as is any variable the checks do not read, so that nothing a user sets is silently ignored.
 *
 * <ul>
 *   <li>{@code repository}, {@code image}, {@code version}, {@code imagePullPolicy}: the workload pod's image
 *       (default: the node agent's).</li>
 *   <li>{@code env} {@code SLEEP_INTERVAL_SECONDS}: how often the checks run (NVIDIA: its retry interval).</li>
 *   <li>{@code cuda.env} {@code WITH_WORKLOAD=false}: no CUDA vector add (its file is written, as NVIDIA's validator
 *       does); {@code plugin.env} {@code WITH_WORKLOAD=false}: no workload pod; {@code env}: both.</li>
 *   <li>{@code driver.env} {@code DISABLE_DEV_CHAR_SYMLINK_CREATION=true}: what gpuop does anyway.</li>
 * </ul>
 *
 * @param cuda whether the CUDA vector add runs
 * @param interval how often the checks run, null for the agent's default
 * @param workload whether the plugin stage runs its workload pod
 */
public record ValidatorSettings(boolean cuda, Duration interval, boolean workload) {

    /** The settings, adding a problem naming the field for each key that cannot be honoured. */
    public static ValidatorSettings of(ValidatorSpec v, List<PolicyProblem> problems) {
        String base = "spec.validator";
        List<String> set = new ArrayList<>();
        if (v.getResources() != null && (v.getResources().getLimits() != null
            || v.getResources().getRequests() != null)) {
            set.add("resources");
        }
        if (!v.getArgs().isEmpty()) {
            set.add("args");
        }
        for (String key : set) {
            problems.add(new PolicyProblem(base + "." + key, "gpuop runs the node checks inside the node agent and "
                + "its workload pod takes only the image keys; remove it (spec.nodeAgent sets the agent's)"));
        }
        boolean cuda = true;
        boolean workload = true;
        Duration interval = null;
        List<EnvVar> env = v.getEnv();
        for (int i = 0; i < env.size(); i++) {
            String field = base + ".env[" + i + "]";
            EnvVar e = env.get(i);
            if (e == null) {
                // the section's own env: PolicyValidator's check of every section's env names it already
                continue;
            }
            switch (String.valueOf(e.name())) {
                case "SLEEP_INTERVAL_SECONDS" -> interval = seconds(field, e.value(), problems);
                case "WITH_WORKLOAD" -> {
                    cuda = bool(field, e.value(), problems, cuda);
                    workload = cuda;
                }
                default -> unknown(field, e.name(), "SLEEP_INTERVAL_SECONDS, WITH_WORKLOAD", problems);
            }
        }
        cuda = component(base + ".cuda.env", v.getCuda(), "WITH_WORKLOAD", problems, cuda);
        workload = component(base + ".plugin.env", v.getPlugin(), "WITH_WORKLOAD", problems, workload);
        component(base + ".toolkit.env", v.getToolkit(), null, problems, true);
        List<EnvVar> driver = v.getDriver() == null || v.getDriver().env() == null ? List.of() : v.getDriver().env();
        for (int i = 0; i < driver.size(); i++) {
            String field = base + ".driver.env[" + i + "]";
            EnvVar e = driver.get(i);
            if (e == null) {
                problems.add(empty(field));
            } else if (!"DISABLE_DEV_CHAR_SYMLINK_CREATION".equals(e.name())) {
                unknown(field, e.name(), "DISABLE_DEV_CHAR_SYMLINK_CREATION", problems);
            } else if (!bool(field, e.value(), problems, true)) {
                problems.add(new PolicyProblem(field + ".value", "gpuop never creates /dev/char links for the GPU "
                    + "devices; only true (the same) is accepted"));
            }
        }
        return new ValidatorSettings(cuda, interval, workload);
    }

    private static boolean component(String field, ValidatorSpec.ValidatorComponent c, String allowed,
                                      List<PolicyProblem> problems, boolean current) {
        List<EnvVar> env = c == null || c.env() == null ? List.of() : c.env();
        boolean value = current;
        for (int i = 0; i < env.size(); i++) {
            EnvVar e = env.get(i);
            if (e == null) {
                problems.add(empty(field + "[" + i + "]"));
            } else if (allowed != null && allowed.equals(e.name())) {
                value = bool(field + "[" + i + "]", e.value(), problems, value);
            } else {
                unknown(field + "[" + i + "]", e.name(), allowed == null ? "none" : allowed, problems);
            }
        }
        return value;
    }

    /** YAML reads a bare {@code -} as a null entry. */
    private static PolicyProblem empty(String field) {
        return new PolicyProblem(field, "an empty entry; each needs a name");
    }

    private static void unknown(String field, String name, String known, List<PolicyProblem> problems) {
        problems.add(new PolicyProblem(field + ".name", "'" + name + "' is not read by gpuop's node checks (read "
            + "here: " + known + ")"));
    }

    private static boolean bool(String field, String value, List<PolicyProblem> problems, boolean dflt) {
        String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        problems.add(new PolicyProblem(field + ".value", "'" + value + "' is neither true nor false"));
        return dflt;
    }

    private static Duration seconds(String field, String value, List<PolicyProblem> problems) {
        try {
            int s = Integer.parseInt(value == null ? "" : value.strip());
            if (s >= 1) {
                return Duration.ofSeconds(s);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(new PolicyProblem(field + ".value", "'" + value + "' is not a whole number of seconds >= 1"));
        return null;
    }
}
