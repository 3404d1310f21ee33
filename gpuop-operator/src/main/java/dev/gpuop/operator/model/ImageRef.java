package dev.gpuop.operator.model;

import dev.gpuop.api.v1alpha1.ComponentSpec;
import java.util.regex.Pattern;

/**
 * An operand's image, resolved as NVIDIA's operator does: {@code image} alone when repository and version are empty
 * (a full reference, digests allowed); otherwise {@code repository/image:version}, or {@code @version} for a
 * {@code sha256:} digest; otherwise the operator's default for that operand. The result must parse as an image
 * reference, so a typo becomes an error naming the field instead of pods stuck in ErrImagePull.
 */
public final class ImageRef {

    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final String DOMAIN = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
        + "(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?";
    /** The reference grammar of the distribution spec, without uppercase in paths. */
    private static final Pattern REFERENCE = Pattern.compile("^" + DOMAIN + COMPONENT + "(?:/" + COMPONENT + ")*"
        + "(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$");

    /** A repository: a registry and a path, or a path alone. */
    private static final Pattern REPOSITORY = Pattern.compile("^" + DOMAIN + COMPONENT + "(?:/" + COMPONENT + ")*$");
    /** An image name: path components. */
    private static final Pattern PATH = Pattern.compile("^" + COMPONENT + "(?:/" + COMPONENT + ")*$");

    private ImageRef() {
    }

    /**
     * Resolves an operand's image.
     *
     * @param c the operand's section
     * @param field the section's path, for messages ({@code spec.driver})
     * @param fallback the operator's default image, or null when there is none
     * @throws PolicyException naming the field when the result is missing or does not parse
     */
    public static String resolve(ComponentSpec c, String field, String fallback) {
        String repo = blankToNull(c.getRepository());
        String image = blankToNull(c.getImage());
        String version = blankToNull(c.getVersion());
        String ref;
        String from;
        if (repo == null && version == null && image != null) {
            ref = image;
            from = field + ".image";
        } else if (repo != null && image != null && version != null) {
            ref = repo + "/" + image + (version.startsWith("sha256:") ? "@" : ":") + version;
            from = field + "." + culprit(repo, image, version);
        } else if (repo == null && image == null && version == null && fallback != null) {
            ref = fallback;
            from = field + ".image";
        } else {
            throw new PolicyException(new PolicyProblem(field + ".image", "set repository, image and version, "
                + "or image alone as a full reference (got repository=" + repo + ", image=" + image
                + ", version=" + version + ")"));
        }
        if (!REFERENCE.matcher(ref).matches()) {
            throw new PolicyException(new PolicyProblem(from, "'" + ref + "' is not an image reference "
                + "(expected [registry/]path[:tag][@sha256:digest], lower-case path)"));
        }
        return ref;
    }

    /** The key of the part that breaks a composed reference: the one that is wrong on its own, else version. */
    private static String culprit(String repo, String image, String version) {
        if (!REPOSITORY.matcher(repo).matches()) {
            return "repository";
        }
        if (!PATH.matcher(image).matches()) {
            return "image";
        }
        return "version";
    }

    /** True when the reference pins a digest (then no OS suffix is added to a driver tag). */
    public static boolean isDigest(String ref) {
        return ref.contains("@sha256:");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
