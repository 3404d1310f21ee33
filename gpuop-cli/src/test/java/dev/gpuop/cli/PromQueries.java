package dev.gpuop.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a dashboard's PromQL (and Grafana's {@code label_values}) asks of an exposition: the metric names, the labels
 * each selector matches on, and the labels grouped by. Not a PromQL parser (no Java one exists that we could use
 * here): a scanner that knows PromQL's keywords and aggregations, enough to tell metric names from functions.
 */
public final class PromQueries {

    /** Names a query uses that are not metrics. */
    private static final Set<String> WORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
        "bool", "and", "or", "unless", "offset", "sum", "avg", "min", "max", "count", "stddev", "stdvar", "topk",
        "bottomk", "quantile", "count_values", "group", "rate", "irate", "increase", "delta", "idelta", "deriv",
        "histogram_quantile", "label_values", "abs", "clamp_min", "clamp_max", "avg_over_time", "max_over_time",
        "min_over_time", "sum_over_time", "time", "vector", "scalar", "label_replace", "inf", "nan");
    private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left",
        "group_right");
    private static final Pattern IDENT = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_VALUES = Pattern.compile("\\s*label_values\\((.*),\\s*(\\w+)\\s*\\)\\s*");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"");

    /** One query's demands: each metric with the labels its selectors match on, and the grouping labels. */
    public record Demands(Map<String, Set<String>> metrics, Set<String> grouping) {
    }

    private PromQueries() {
    }

    public static Demands of(String expr) {
        // Grafana's label_values(selector, label): the label must be on the selector's metrics
        Matcher lv = LABEL_VALUES.matcher(expr);
        if (lv.matches()) {
            Demands inner = of(lv.group(1));
            inner.metrics().values().forEach(labels -> labels.add(lv.group(2)));
            return inner;
        }
        Map<String, Set<String>> metrics = new LinkedHashMap<>();
        Set<String> grouping = new LinkedHashSet<>();
        String e = expr.replaceAll("\\[[^]]*]", " "); // range and subquery durations
        int i = 0;
        while (i < e.length()) {
            char c = e.charAt(i);
            if (c == '"') {
                i = e.indexOf('"', i + 1) + 1;
                continue;
            }
            if (Character.isDigit(c) || c == '.') {
                while (i < e.length() && (Character.isLetterOrDigit(e.charAt(i)) || e.charAt(i) == '.')) {
                    i++;
                }
                continue;
            }
            Matcher m = IDENT.matcher(e).region(i, e.length());
            if (!m.lookingAt()) {
                i++;
                continue;
            }
            String word = m.group();
            int next = skipBlanks(e, m.end());
            if (GROUPING.contains(word) && next < e.length() && e.charAt(next) == '(') {
                int close = e.indexOf(')', next);
                for (String l : e.substring(next + 1, close).split(",")) {
                    if (!l.isBlank()) {
                        grouping.add(l.strip());
                    }
                }
                i = close + 1;
            } else if (WORDS.contains(word)) {
                i = m.end();
            } else {
                Set<String> labels = metrics.computeIfAbsent(word, k -> new TreeSet<>());
                i = m.end();
                if (next < e.length() && e.charAt(next) == '{') {
                    int close = selectorEnd(e, next);
                    Matcher lm = MATCHER.matcher(e.substring(next + 1, close));
                    while (lm.find()) {
                        labels.add(lm.group(1));
                    }
                    i = close + 1;
                }
            }
        }
        return new Demands(metrics, grouping);
    }

    /** Every PromQL expression of a Grafana dashboard: its panels' targets and its query variables. */
    public static List<String> dashboard(java.nio.file.Path json) throws java.io.IOException {
        com.fasterxml.jackson.databind.JsonNode d = new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(json.toFile());
        List<String> out = new ArrayList<>();
        d.path("panels").forEach(p -> p.path("targets").forEach(t -> out.add(t.path("expr").asText())));
        d.path("templating").path("list").forEach(v -> {
            if (v.path("type").asText().equals("query")) {
                out.add(v.path("query").path("query").asText());
            }
        });
        return out;
    }

    private static int skipBlanks(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int selectorEnd(String s, int open) {
        boolean quoted = false;
        for (int i = open + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '}' && !quoted) {
                return i;
            }
        }
        throw new IllegalArgumentException("unclosed selector in " + s);
    }

    /** Each metric name of a Prometheus text exposition with the label names its samples carry. */
    public static Map<String, Set<String>> exposition(String text) {
        Map<String, Set<String>> out = new TreeMap<>();
        Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");
        for (String line : text.lines().toList()) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = IDENT.matcher(line);
            if (!m.lookingAt()) {
                continue;
            }
            Set<String> labels = out.computeIfAbsent(m.group(), k -> new TreeSet<>());
            if (m.end() < line.length() && line.charAt(m.end()) == '{') {
                Matcher lm = label.matcher(line.substring(m.end(), selectorEnd(line, m.end()) + 1));
                while (lm.find()) {
                    labels.add(lm.group(1));
                }
            }
        }
        return out;
    }

    /** What the exposition lacks of the query, one line each; empty when it has everything. */
    public static List<String> missing(String expr, Map<String, Set<String>> exposition) {
        Demands d = of(expr);
        List<String> missing = new ArrayList<>();
        Set<String> allLabels = new TreeSet<>();
        d.metrics().forEach((metric, labels) -> {
            Set<String> have = exposition.get(metric);
            if (have == null) {
                missing.add("metric " + metric);
                return;
            }
            allLabels.addAll(have);
            labels.stream().filter(l -> !have.contains(l)).forEach(l -> missing.add("label " + l + " of " + metric));
        });
        d.grouping().stream().filter(l -> !allLabels.contains(l)).forEach(l -> missing.add("grouping label " + l));
        return missing;
    }
}
