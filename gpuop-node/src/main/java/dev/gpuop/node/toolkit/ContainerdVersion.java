package dev.gpuop.node.toolkit;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A containerd release, from {@code containerd --version} ("containerd github.com/containerd/containerd/v2 v2.4.2
 * ...") or the CRI Version call ("v1.6.20~ds1").
 *
 * @param major e.g. 1 or 2
 * @param minor e.g. 6
 * @param text the version as printed
 */
public record ContainerdVersion(int major, int minor, String text) {

    private static final Pattern VERSION = Pattern.compile("v?(\\d+)\\.(\\d+)(\\.\\d+)?\\S*");

    /** Finds the first {@code major.minor[.patch]} token in a line of text; null when there is none. */
    public static ContainerdVersion parse(String line) {
        for (String token : line.trim().split("\\s+")) {
            Matcher m = VERSION.matcher(token);
            if (m.matches()) {
                return new ContainerdVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), token);
            }
        }
        return null;
    }

    /** True from containerd 2.0, which merges plugin sections of imported files instead of replacing them. */
    public boolean mergesDropIns() {
        return major >= 2;
    }

    @Override
    public String toString() {
        return text;
    }
}
