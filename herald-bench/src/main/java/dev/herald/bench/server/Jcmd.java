package dev.herald.bench.server;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code jcmd <pid> ...} from this JDK (GC, class histogram, JFR) with a time limit. */
public final class Jcmd {
    private Jcmd() {
    }

    /** The command's output, or null when jcmd is missing, failed or timed out. */
    public static String run(long pid, String... args) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        List<String> cmd = new ArrayList<>();
        cmd.add(jcmd.toFile().canExecute() ? jcmd.toString() : "jcmd");
        cmd.add(Long.toString(pid));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[][] out = new byte[1][];
            Thread reader = new Thread(() -> {
                try {
                    out[0] = p.getInputStream().readAllBytes();
                } catch (Exception e) {
                    out[0] = new byte[0];
                }
            });
            reader.setDaemon(true);
            reader.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            reader.join(5_000);
            return p.exitValue() == 0 && out[0] != null ? new String(out[0], StandardCharsets.UTF_8) : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** Full GC in the target (System.gc()), so that RSS comparisons do not count garbage. */
    public static boolean gc(long pid) {
        return run(pid, "GC.run") != null;
    }

    /** The top {@code limit} lines of {@code GC.class_histogram} (live objects after a full GC). */
    public static List<ClassCount> classHistogram(long pid, int limit) {
        return parseClassHistogram(run(pid, "GC.class_histogram"), limit);
    }

    /** The top {@code limit} rows of {@code GC.class_histogram} output (null output: none). */
    public static List<ClassCount> parseClassHistogram(String out, int limit) {
        List<ClassCount> rows = new ArrayList<>();
        if (out == null) {
            return rows;
        }
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            // "   1:        123456      7890123  java.lang.String (java.base@25)"
            if (f.length >= 4 && f[0].endsWith(":") && f[0].length() > 1 && Character.isDigit(f[0].charAt(0))) {
                try {
                    rows.add(new ClassCount(f[3], Long.parseLong(f[1]), Long.parseLong(f[2])));
                } catch (NumberFormatException ignored) {
                    // header line
                }
                if (rows.size() >= limit) {
                    break;
                }
            }
        }
        return rows;
    }

    public record ClassCount(String className, long instances, long bytes) {
    }

    /** Java heap committed and used, from {@code GC.heap_info}; null when unavailable. */
    public record HeapInfo(long committedBytes, long usedBytes, long reservedStart, long reservedEnd) {
        public HeapInfo(long committedBytes, long usedBytes) {
            this(committedBytes, usedBytes, 0, 0);
        }
    }

    private static final java.util.regex.Pattern RANGE = java.util.regex.Pattern
            .compile("\\[0x([0-9a-f]+), 0x([0-9a-f]+)\\)");

    /** The G1 heap's reserved address range, from the line after "garbage-first heap ... used NK". */
    private static HeapInfo withRange(HeapInfo h, String out, int from) {
        java.util.regex.Matcher r = RANGE.matcher(out);
        if (!r.find(from)) {
            return h;
        }
        return new HeapInfo(h.committedBytes(), h.usedBytes(), Long.parseUnsignedLong(r.group(1), 16),
                Long.parseUnsignedLong(r.group(2), 16));
    }

    public static HeapInfo heapInfo(long pid) {
        return parseHeapInfo(run(pid, "GC.heap_info"));
    }

    private static final java.util.regex.Pattern G1_HEAP = java.util.regex.Pattern
            .compile("heap\\s+total(?: reserved \\d+K,)? committed (\\d+)K, used (\\d+)K");
    /** Serial ("DefNew", "Tenured") and Parallel ("PSYoungGen", "ParOldGen"): one line per generation. */
    private static final java.util.regex.Pattern GENERATION = java.util.regex.Pattern
            .compile("(?m)^\\S.*?\\s+total (\\d+)K, used (\\d+)K");
    private static final java.util.regex.Pattern Z_HEAP = java.util.regex.Pattern
            .compile("ZHeap\\s+used (\\d+)M, capacity (\\d+)M");

    /**
     * The whole heap from {@code GC.heap_info}: G1's single total line, the sum of the generations for Serial and
     * Parallel (their first line is only the young generation, which a full GC leaves nearly empty), or ZGC's
     * capacity and use; null for output it does not know.
     */
    static HeapInfo parseHeapInfo(String out) {
        if (out == null) {
            return null;
        }
        java.util.regex.Matcher m = G1_HEAP.matcher(out);
        if (m.find()) {
            return withRange(new HeapInfo(Long.parseLong(m.group(1)) * 1024, Long.parseLong(m.group(2)) * 1024),
                    out, m.end());
        }
        m = GENERATION.matcher(out);
        long committed = 0;
        long used = 0;
        int generations = 0;
        while (m.find()) {
            committed += Long.parseLong(m.group(1)) * 1024;
            used += Long.parseLong(m.group(2)) * 1024;
            generations++;
        }
        if (generations > 0) {
            return new HeapInfo(committed, used);
        }
        m = Z_HEAP.matcher(out);
        if (m.find()) {
            return new HeapInfo(Long.parseLong(m.group(2)) << 20, Long.parseLong(m.group(1)) << 20);
        }
        return null;
    }

    /** The JVM's effective non-default flags ({@code VM.flags}: command line plus ergonomics), or null. */
    public static String vmFlags(long pid) {
        String out = run(pid, "VM.flags");
        if (out == null) {
            return null;
        }
        String flags = out.strip();
        // the first line is "<pid>:"
        int nl = flags.indexOf('\n');
        return (nl >= 0 && flags.substring(0, nl).endsWith(":") ? flags.substring(nl + 1) : flags).strip();
    }
}
