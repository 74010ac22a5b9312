package dev.herald.bench.server;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a server JFR recording says, reduced to tables a report can hold: the hottest methods by own time and by
 * inclusive time, the hottest native frames (time in syscalls such as writev), the classes allocated most, and GC
 * pauses. Stacks come from CPU-time samples ({@code jdk.CPUTimeSample}, Java 25 on Linux: every thread is sampled
 * by the CPU it uses, in Java or in native code) when the recording has them, otherwise from execution samples
 * (threads running Java code only).
 */
public final class JfrSummary {
    private JfrSummary() {
    }

    public record Row(String name, long count, double percent) {
    }

    public record Summary(String sampleKind, long executionSamples, List<Row> selfTop, List<Row> selfByPackage,
                          List<Row> heraldInclusiveTop, long nativeSamples, List<Row> nativeTop,
                          List<Row> allocationTop, long gcCount, double gcPauseMillis) {
    }

    public static Summary read(Path file, int limit) throws IOException {
        Stacks execution = new Stacks();
        Stacks cpuTime = new Stacks();
        Map<String, Long> nat = new HashMap<>();
        Map<String, Long> alloc = new HashMap<>();
        long nativeSamples = 0;
        long allocTotal = 0;
        long gcCount = 0;
        Duration gcPause = Duration.ZERO;
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent e = recording.readEvent();
                String type = e.getEventType().getName();
                switch (type) {
                    case "jdk.ExecutionSample" -> execution.add(e.getStackTrace());
                    case "jdk.CPUTimeSample" -> cpuTime.add(e.getStackTrace());
                    case "jdk.NativeMethodSample" -> {
                        RecordedStackTrace st = e.getStackTrace();
                        if (st == null || st.getFrames().isEmpty()) {
                            continue;
                        }
                        String top = name(st.getFrames().getFirst());
                        // Threads parked in epoll_wait or accept are idle, not working.
                        if (top.contains("epollWait") || top.contains("epollBusyWait") || top.contains("accept")
                                || top.contains("Object.wait") || top.contains("park")) {
                            continue;
                        }
                        nativeSamples++;
                        String caller = st.getFrames().size() > 1 ? " <- " + name(st.getFrames().get(1)) : "";
                        nat.merge(top + caller, 1L, Long::sum);
                    }
                    case "jdk.ObjectAllocationSample" -> {
                        long weight = e.getLong("weight");
                        allocTotal += weight;
                        alloc.merge(e.getClass("objectClass").getName(), weight, Long::sum);
                    }
                    case "jdk.GarbageCollection" -> {
                        gcCount++;
                        gcPause = gcPause.plus(e.getDuration("sumOfPauses"));
                    }
                    default -> {
                    }
                }
            }
        }
        Stacks s = cpuTime.samples > 0 ? cpuTime : execution;
        String kind = cpuTime.samples > 0 ? "CPU-time samples (jdk.CPUTimeSample)" : "Java execution samples";
        return new Summary(kind, s.samples, top(s.self, s.samples, limit), top(s.byPackage, s.samples, limit),
                top(s.inclusive, s.samples, limit), nativeSamples,
                top(nat, nativeSamples, limit), top(alloc, allocTotal, limit), gcCount,
                gcPause.toNanos() / 1e6);
    }

    /** Stack samples folded three ways: by top frame, by the top frame's package, by Herald frame anywhere. */
    private static final class Stacks {
        final Map<String, Long> self = new HashMap<>();
        final Map<String, Long> byPackage = new HashMap<>();
        final Map<String, Long> inclusive = new HashMap<>();
        long samples;

        void add(RecordedStackTrace st) {
            if (st == null || st.getFrames().isEmpty()) {
                return;
            }
            samples++;
            List<RecordedFrame> frames = st.getFrames();
            self.merge(name(frames.getFirst()), 1L, Long::sum);
            byPackage.merge(area(frames.getFirst()), 1L, Long::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame f : frames) {
                String n = name(f);
                if (n.startsWith("dev.herald") && seen.add(n)) {
                    inclusive.merge(n, 1L, Long::sum);
                }
            }
        }
    }

    private static String name(RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        if (m == null) {
            return "?";
        }
        String cls = m.getType().getName();
        int dot = cls.lastIndexOf('.');
        String pkg = dot < 0 ? "" : cls.substring(0, dot);
        // Keep our and Netty's packages readable, shorten the rest.
        String shortCls = pkg.startsWith("dev.herald") || pkg.startsWith("io.netty") ? cls : cls.substring(dot + 1);
        return shortCls + "." + m.getName();
    }

    /** The code area a frame belongs to: a package prefix at a useful depth. */
    private static String area(RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        if (m == null) {
            return "?";
        }
        String cls = m.getType().getName();
        String[] parts = cls.split("\\.");
        int depth = cls.startsWith("dev.herald") || cls.startsWith("io.netty") || cls.startsWith("com.")
                || cls.startsWith("org.") ? 3 : 2;
        return String.join(".", java.util.Arrays.copyOf(parts, Math.min(depth, parts.length - 1)));
    }

    private static List<Row> top(Map<String, Long> counts, long total, int limit) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(limit)
                .map(en -> new Row(en.getKey(), en.getValue(), total == 0 ? 0 : 100.0 * en.getValue() / total))
                .toList();
    }

    /** Markdown tables for the report. */
    public static String markdown(Summary s) {
        StringBuilder md = new StringBuilder();
        md.append(s.sampleKind()).append(": ").append(s.executionSamples()).append("; native (non-idle) samples: ")
                .append(s.nativeSamples()).append("; GCs: ").append(s.gcCount()).append(" (pauses ")
                .append(String.format("%.1f", s.gcPauseMillis())).append(" ms)\n\n");
        table(md, "Own time by package (% of samples)", s.selfByPackage());
        table(md, "Hottest methods (own time, % of samples; a native method's time includes its syscall)", s.selfTop());
        table(md, "Herald methods (inclusive time, % of samples)", s.heraldInclusiveTop());
        table(md, "Native frames (% of non-idle native samples)", s.nativeTop());
        table(md, "Allocation by class (% of sampled bytes)", s.allocationTop());
        return md.toString();
    }

    private static void table(StringBuilder md, String title, List<Row> rows) {
        if (rows.isEmpty()) {
            return;
        }
        md.append("**").append(title).append("**\n\n| % | samples | frame |\n|---:|---:|---|\n");
        for (Row r : rows) {
            md.append(String.format("| %.1f | %d | `%s` |%n", r.percent(), r.count(), r.name()));
        }
        md.append('\n');
    }
}
