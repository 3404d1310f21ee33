package dev.gpuop.operator.model;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OS suffix of NVIDIA's driver image tags ({@code 580.95.05-ubuntu24.04}), from the kubelet's {@code osImage}
 * string so that NFD is not needed: Ubuntu keeps major.minor, RHEL-like systems keep the major only, as NVIDIA's.
 */
public final class OsTag {

    private static final Pattern VERSION = Pattern.compile("(\\d+)(?:\\.(\\d+))?");

    private OsTag() {
    }

    /** The tag, or empty when the OS is not one NVIDIA builds driver images for. */
    public static Optional<String> of(String osImage) {
        if (osImage == null) {
            return Optional.empty();
        }
        String os = osImage.toLowerCase(Locale.ROOT);
        Matcher m = VERSION.matcher(os);
        if (!m.find()) {
            return Optional.empty();
        }
        String major = m.group(1);
        String majorMinor = m.group(2) == null ? major : major + "." + m.group(2);
        if (os.startsWith("ubuntu")) {
            return Optional.of("ubuntu" + majorMinor);
        }
        if (os.startsWith("red hat enterprise linux coreos")) {
            return Optional.of("rhcos" + majorMinor);
        }
        if (os.startsWith("red hat")) {
            return Optional.of("rhel" + major);
        }
        if (os.startsWith("rocky")) {
            return Optional.of("rocky" + major);
        }
        if (os.startsWith("oracle")) {
            return Optional.of("ol" + major);
        }
        if (os.startsWith("debian")) {
            return Optional.of("debian" + major);
        }
        if (os.startsWith("sles") || os.startsWith("suse")) {
            return Optional.of("sles" + majorMinor);
        }
        return Optional.empty();
    }
}
