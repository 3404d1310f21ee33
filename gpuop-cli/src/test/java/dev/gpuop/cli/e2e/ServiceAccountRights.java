package dev.gpuop.cli.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a service account may do, as {@code kubectl auth can-i --list --as=system:serviceaccount:NS:NAME -n NS}
 * prints it: each resource ({@code name.group}, a subresource as {@code name.group/sub}) with its verbs, the rows of
 * one resource merged. Rows of non-resource URLs (discovery, granted to everyone) are left out.
 */
final class ServiceAccountRights {

    private ServiceAccountRights() {
    }

    static Map<String, Set<String>> list(Path kubectl, Path kubeconfig, String namespace, String account)
        throws Exception {
        Process p = new ProcessBuilder(kubectl.toString(), "--kubeconfig", kubeconfig.toString(), "auth", "can-i",
            "--list", "--as=system:serviceaccount:" + namespace + ":" + account, "-n", namespace)
            .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new AssertionError("kubectl auth can-i --list failed for " + account + ":\n" + out);
        }
        return parse(out);
    }

    /** The table's columns start where its header's words do. */
    static Map<String, Set<String>> parse(String table) {
        List<String> lines = table.lines().toList();
        String header = lines.getFirst();
        int urls = header.indexOf("Non-Resource URLs");
        int names = header.indexOf("Resource Names");
        int verbs = header.indexOf("Verbs");
        if (urls < 0 || names < 0 || verbs < 0) {
            throw new AssertionError("not kubectl's can-i table:\n" + table);
        }
        Map<String, Set<String>> rights = new TreeMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String resource = line.substring(0, Math.min(urls, line.length())).strip();
            if (resource.isEmpty()) {
                continue; // a non-resource URL
            }
            String only = line.substring(names, verbs).strip();
            String key = subresourceLast(resource) + ("[]".equals(only) ? "" : only);
            String v = line.substring(verbs).strip();
            rights.computeIfAbsent(key, k -> new TreeSet<>())
                .addAll(Arrays.asList(v.substring(1, v.length() - 1).split(" ")));
        }
        return rights;
    }

    /** kubectl prints {@code pods/log} and {@code clusterpolicies/status.gpuop.dev}: the group goes first here. */
    private static String subresourceLast(String resource) {
        int slash = resource.indexOf('/');
        int dot = resource.indexOf('.', Math.max(slash, 0));
        if (slash < 0 || dot < 0) {
            return resource;
        }
        return resource.substring(0, slash) + resource.substring(dot) + resource.substring(slash, dot);
    }
}
