package io.hivestream.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads, and the expressions of the Hivestream dashboard: what
 * the scrape test holds to the names the job's reporter exports.
 */
final class PromQl {
    /** The Hivestream dashboard, as compose.yaml provisions it into Grafana. */
    static final Path DASHBOARD = Path.of("..", "deploy", "monitoring", "grafana-dashboard.json");

    private static final Pattern STRING =
            Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern NAME_MATCHER =
            Pattern.compile("__name__\\s*=\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*')");
    private static final Pattern SELECTOR = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*]");
    private static final Pattern GROUPING =
            Pattern.compile(
                    "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)",
                    Pattern.CASE_INSENSITIVE);
    private static final Pattern TOKEN =
            Pattern.compile("(?<number>[0-9.][0-9A-Za-z_.]*)|(?<name>[A-Za-z_:][A-Za-z0-9_:]*)");
    private static final Set<String> KEYWORDS =
            Set.of(
                    "and",
                    "or",
                    "unless",
                    "bool",
                    "offset",
                    "by",
                    "without",
                    "on",
                    "ignoring",
                    "group_left",
                    "group_right",
                    "inf",
                    "nan");

    private PromQl() {}

    /**
     * The metric names {@code expr} selects: every identifier outside strings, label matchers,
     * ranges and grouping clauses that is neither a function or aggregation (followed by {@code
     * (}), nor a keyword or number; and the names of {@code __name__="..."} matchers.
     */
    static Set<String> metricNames(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher named = NAME_MATCHER.matcher(expr);
        while (named.find()) {
            String quoted = named.group(1);
            names.add(quoted.substring(1, quoted.length() - 1));
        }
        String rest = STRING.matcher(expr).replaceAll("\"\"");
        rest = SELECTOR.matcher(rest).replaceAll(" ");
        rest = RANGE.matcher(rest).replaceAll(" ");
        rest = GROUPING.matcher(rest).replaceAll(" ");
        Matcher token = TOKEN.matcher(rest);
        while (token.find()) {
            String name = token.group("name");
            if (name == null || KEYWORDS.contains(name.toLowerCase(Locale.ROOT))) {
                continue;
            }
            int next = token.end();
            while (next < rest.length() && Character.isWhitespace(rest.charAt(next))) {
                next++;
            }
            if (next < rest.length() && rest.charAt(next) == '(') {
                continue;
            }
            names.add(name);
        }
        return names;
    }

    /** Every {@code expr} of the dashboard's panels' targets. */
    static List<String> dashboardExpressions() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                expressions.add(target.path("expr").asText());
            }
        }
        return expressions;
    }

    /** The metric names the dashboard's queries read. */
    static Set<String> dashboardMetricNames() throws IOException {
        Set<String> names = new TreeSet<>();
        for (String expr : dashboardExpressions()) {
            names.addAll(metricNames(expr));
        }
        return names;
    }
}
