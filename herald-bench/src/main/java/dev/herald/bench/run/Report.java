package dev.herald.bench.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scenario run's results, written as JSON (for tools) and markdown (for people) side by side. Sections keep
 * insertion order, so the report reads in the order the scenario measured.
 */
public final class Report {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A target of issue 5 and whether this run met it. */
    public record Target(String name, String target, String measured, Boolean met) {
    }

    private final String scenario;
    private final ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
    private final Map<String, Object> header = new LinkedHashMap<>();
    private final Map<String, Object> params = new LinkedHashMap<>();
    private final Map<String, Object> results = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> latencies = new LinkedHashMap<>();
    private final List<Target> targets = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Object> extra = new LinkedHashMap<>();
    private final Map<String, String> sections = new LinkedHashMap<>();

    public Report(String scenario, String command) {
        this.scenario = scenario;
        header.put("scenario", scenario);
        header.put("command", command);
        header.put("started", started.toString());
        header.put("machine", Machine.describe());
    }

    public String scenario() {
        return scenario;
    }

    public Object header(String key) {
        return header.get(key);
    }

    public Report header(String key, Object value) {
        header.put(key, value);
        return this;
    }

    public Report param(String key, Object value) {
        params.put(key, value);
        return this;
    }

    public Report result(String key, Object value) {
        results.put(key, value);
        return this;
    }

    public Object result(String key) {
        return results.get(key);
    }

    public Map<String, Object> results() {
        return results;
    }

    /** Percentiles of a microsecond histogram, stored in milliseconds. */
    public Report latency(String name, Histogram h) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("count", h.getTotalCount());
        if (h.getTotalCount() > 0) {
            p.put("p50_ms", ms(h.getValueAtPercentile(50)));
            p.put("p90_ms", ms(h.getValueAtPercentile(90)));
            p.put("p99_ms", ms(h.getValueAtPercentile(99)));
            p.put("p99.9_ms", ms(h.getValueAtPercentile(99.9)));
            p.put("max_ms", ms(h.getMaxValue()));
            p.put("mean_ms", Math.round(h.getMean()) / 1000.0);
        }
        latencies.put(name, p);
        return this;
    }

    public Map<String, Object> latency(String name) {
        return latencies.get(name);
    }

    public Report target(String name, String target, String measured, Boolean met) {
        targets.add(new Target(name, target, measured, met));
        return this;
    }

    public List<Target> targets() {
        return targets;
    }

    public Report note(String note) {
        notes.add(note);
        return this;
    }

    public Report extra(String key, Object value) {
        extra.put(key, value);
        return this;
    }

    /** A markdown section (profile tables, class histogram) appended to the markdown report. */
    public Report section(String title, String markdown) {
        sections.put(title, markdown);
        return this;
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }

    /** Writes {@code <scenario>-<time>.json} and {@code .md} into {@code dir}; returns the two paths. */
    public List<Path> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        String stamp = started.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path json = dir.resolve(scenario + "-" + stamp + ".json");
        Path md = dir.resolve(scenario + "-" + stamp + ".md");
        Map<String, Object> all = new LinkedHashMap<>(header);
        all.put("params", params);
        all.put("results", results);
        all.put("latency", latencies);
        all.put("targets", targets);
        all.put("notes", notes);
        all.putAll(extra);
        all.put("sections", sections);
        JSON.writeValue(json.toFile(), all);
        Files.writeString(md, markdown());
        return List.of(json, md);
    }

    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# herald-bench: ").append(scenario).append("\n\n");
        md.append("- command: `").append(header.get("command")).append("`\n");
        md.append("- started: ").append(header.get("started")).append('\n');
        header.forEach((k, v) -> {
            if (!k.equals("scenario") && !k.equals("command") && !k.equals("started")) {
                md.append("- ").append(k).append(": ").append(v).append('\n');
            }
        });
        md.append("\n## Parameters\n\n");
        keyValues(md, params);
        if (!targets.isEmpty()) {
            md.append("\n## Targets\n\n| target | wanted | measured | met |\n|---|---|---|---|\n");
            for (Target t : targets) {
                md.append("| ").append(t.name()).append(" | ").append(t.target()).append(" | ")
                        .append(t.measured()).append(" | ")
                        .append(t.met() == null ? "n/a" : t.met() ? "yes" : "**no**").append(" |\n");
            }
        }
        md.append("\n## Results\n\n");
        keyValues(md, results);
        if (!latencies.isEmpty()) {
            md.append("\n## Latency (ms)\n\n| what | count | p50 | p90 | p99 | p99.9 | max |\n"
                    + "|---|---:|---:|---:|---:|---:|---:|\n");
            latencies.forEach((name, p) -> md.append("| ").append(name).append(" | ").append(p.get("count"))
                    .append(" | ").append(p.getOrDefault("p50_ms", "-")).append(" | ")
                    .append(p.getOrDefault("p90_ms", "-")).append(" | ").append(p.getOrDefault("p99_ms", "-"))
                    .append(" | ").append(p.getOrDefault("p99.9_ms", "-")).append(" | ")
                    .append(p.getOrDefault("max_ms", "-")).append(" |\n"));
        }
        if (!notes.isEmpty()) {
            md.append("\n## Notes\n\n");
            notes.forEach(n -> md.append("- ").append(n).append('\n'));
        }
        sections.forEach((title, body) -> md.append("\n## ").append(title).append("\n\n").append(body).append('\n'));
        return md.toString();
    }

    private static void keyValues(StringBuilder md, Map<String, Object> map) {
        md.append("| | |\n|---|---|\n");
        map.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(format(v)).append(" |\n"));
    }

    static String format(Object v) {
        if (v instanceof Double d) {
            return Math.abs(d) >= 100 ? String.format("%,.0f", d) : String.format("%.3g", d);
        }
        if (v instanceof Long || v instanceof Integer) {
            return String.format("%,d", ((Number) v).longValue());
        }
        return String.valueOf(v);
    }
}
