package dev.gpuop.operator.model;

import dev.gpuop.api.v1alpha1.EnvVar;
import dev.gpuop.api.v1alpha1.ValidatorSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The policy's {@code validator} section (NVIDIA's keys) as the node agent's checks honour it. gpuop's checks run
 * inside the node agent, so there is no validator image, pod, resources or arguments to set: those keys are refused,
 * as is any variable the checks do not read, so that nothing a user sets is silently ignored.
 *
 * <ul>
 *   <li>{@code env} {@code SLEEP_INTERVAL_SECONDS}: how often the checks run (NVIDIA: its retry interval).</li>
 *   <li>{@code env} or {@code cuda.env} {@code WITH_WORKLOAD=false}: no CUDA vector add (its file is written, as
 *       NVIDIA's validator does).</li>
 *   <li>{@code driver.env} {@code DISABLE_DEV_CHAR_SYMLINK_CREATION=true}: what gpuop does anyway.</li>
 * </ul>
 *
 * @param cuda whether the CUDA vector add runs
 * @param interval how often the checks run, null for the agent's default
 */
public record ValidatorSettings(boolean cuda, Duration interval) {

    /** The settings, adding a problem naming the field for each key that cannot be honoured. */
    public static ValidatorSettings of(ValidatorSpec v, List<PolicyProblem> problems) {
        String base = "spec.validator";
        List<String> set = new ArrayList<>();
        if (v.getRepository() != null && !v.getRepository().isBlank()) {
            set.add("repository");
        }
        if (v.getImage() != null && !v.getImage().isBlank()) {
            set.add("image");
        }
        if (v.getVersion() != null && !v.getVersion().isBlank()) {
            set.add("version");
        }
        if (v.getResources() != null && (v.getResources().getLimits() != null
            || v.getResources().getRequests() != null)) {
            set.add("resources");
        }
        if (!v.getArgs().isEmpty()) {
            set.add("args");
        }
        for (String key : set) {
            problems.add(new PolicyProblem(base + "." + key, "gpuop runs the node checks inside the node agent: "
                + "there is no validator image or pod to set this on; remove it (spec.nodeAgent sets the agent's)"));
        }
        boolean cuda = true;
        Duration interval = null;
        List<EnvVar> env = v.getEnv();
        for (int i = 0; i < env.size(); i++) {
            String field = base + ".env[" + i + "]";
            EnvVar e = env.get(i);
            switch (String.valueOf(e.name())) {
                case "SLEEP_INTERVAL_SECONDS" -> interval = seconds(field, e.value(), problems);
                case "WITH_WORKLOAD" -> cuda = bool(field, e.value(), problems, cuda);
                default -> unknown(field, e.name(), "SLEEP_INTERVAL_SECONDS, WITH_WORKLOAD", problems);
            }
        }
        cuda = component(base + ".cuda.env", v.getCuda(), "WITH_WORKLOAD", problems, cuda);
        component(base + ".plugin.env", v.getPlugin(), null, problems, true);
        component(base + ".toolkit.env", v.getToolkit(), null, problems, true);
        List<EnvVar> driver = v.getDriver() == null || v.getDriver().env() == null ? List.of() : v.getDriver().env();
        for (int i = 0; i < driver.size(); i++) {
            String field = base + ".driver.env[" + i + "]";
            EnvVar e = driver.get(i);
            if (!"DISABLE_DEV_CHAR_SYMLINK_CREATION".equals(e.name())) {
                unknown(field, e.name(), "DISABLE_DEV_CHAR_SYMLINK_CREATION", problems);
            } else if (!bool(field, e.value(), problems, true)) {
                problems.add(new PolicyProblem(field + ".value", "gpuop never creates /dev/char links for the GPU "
                    + "devices; only true (the same) is accepted"));
            }
        }
        return new ValidatorSettings(cuda, interval);
    }

    private static boolean component(String field, ValidatorSpec.ValidatorComponent c, String allowed,
                                      List<PolicyProblem> problems, boolean current) {
        List<EnvVar> env = c == null || c.env() == null ? List.of() : c.env();
        boolean value = current;
        for (int i = 0; i < env.size(); i++) {
            EnvVar e = env.get(i);
            if (allowed != null && allowed.equals(e.name())) {
                value = bool(field + "[" + i + "]", e.value(), problems, value);
            } else {
                unknown(field + "[" + i + "]", e.name(), allowed == null ? "none" : allowed, problems);
            }
        }
        return value;
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
