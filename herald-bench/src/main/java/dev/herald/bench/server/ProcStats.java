package dev.herald.bench.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's CPU time and memory from {@code /proc/<pid>/stat} (utime, stime in clock ticks) and
 * {@code /proc/<pid>/status} (VmRSS), and its write system calls from {@code /proc/<pid>/io} (syscw: write(2),
 * writev(2) and their kin; socket writes through send(2) or sendmsg(2) are not counted there). CPU time counts every
 * thread, living or ended, of the process.
 */
public final class ProcStats {
    /** USER_HZ: 100 on every Linux this runs on; {@code getconf CLK_TCK} confirms it. */
    public static final long TICKS_PER_SECOND = clockTicks();

    private ProcStats() {
    }

    /**
     * @param atNanos  System.nanoTime() when read
     * @param userNanos  utime
     * @param systemNanos stime (kernel: syscalls such as write(2), softirq work charged to the process)
     */
    public record Sample(long atNanos, long userNanos, long systemNanos, long rssBytes, int threads,
                         long writeCalls) {
        public long cpuNanos() {
            return userNanos + systemNanos;
        }

        public Delta minus(Sample earlier) {
            return new Delta(atNanos - earlier.atNanos, userNanos - earlier.userNanos,
                    systemNanos - earlier.systemNanos, rssBytes - earlier.rssBytes,
                    writeCalls < 0 || earlier.writeCalls < 0 ? -1 : writeCalls - earlier.writeCalls);
        }
    }

    /** @param writeCalls write system calls in between; -1 when /proc/<pid>/io could not be read */
    public record Delta(long wallNanos, long userNanos, long systemNanos, long rssBytes, long writeCalls) {
        public long cpuNanos() {
            return userNanos + systemNanos;
        }

        /** CPU used over the wall time, 1.0 = one core busy. */
        public double cores() {
            return wallNanos <= 0 ? 0 : (double) cpuNanos() / wallNanos;
        }
    }

    public static Sample read(long pid) {
        try {
            long now = System.nanoTime();
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name (which may hold spaces) start at state (field 3).
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long utime = Long.parseLong(f[11]);
            long stime = Long.parseLong(f[12]);
            int threads = Integer.parseInt(f[17]);
            long rssKb = 0;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rssKb = Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
            long tick = 1_000_000_000L / TICKS_PER_SECOND;
            return new Sample(now, utime * tick, stime * tick, rssKb * 1024, threads, writeCalls(pid));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + ": " + e.getMessage(), e);
        }
    }

    /**
     * The sum of samples of several processes taken one after the other (a cluster's nodes): CPU, RSS, threads and
     * write calls add up; the time is the last sample's; write calls are -1 when any process's were unreadable.
     */
    public static Sample sum(java.util.List<Sample> samples) {
        long at = 0;
        long user = 0;
        long system = 0;
        long rss = 0;
        int threads = 0;
        long writes = 0;
        for (Sample s : samples) {
            at = Math.max(at, s.atNanos());
            user += s.userNanos();
            system += s.systemNanos();
            rss += s.rssBytes();
            threads += s.threads();
            writes = writes < 0 || s.writeCalls() < 0 ? -1 : writes + s.writeCalls();
        }
        return new Sample(at, user, system, rss, threads, writes);
    }

    /** syscw from /proc/<pid>/io, or -1 when it cannot be read. */
    private static long writeCalls(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "io"))) {
                if (line.startsWith("syscw:")) {
                    return Long.parseLong(line.substring(6).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not readable (another user's process): not reported
        }
        return -1;
    }

    /**
     * CPU time (utime + stime) of the process's living threads, summed by thread name with digits replaced by
     * {@code #} (so the event loops, the compiler threads and the GC workers each form one group).
     */
    public static java.util.Map<String, Long> threadCpuNanos(long pid) {
        java.util.Map<String, Long> groups = new java.util.TreeMap<>();
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        long tick = 1_000_000_000L / TICKS_PER_SECOND;
        try (java.util.stream.Stream<Path> list = Files.list(tasks)) {
            for (Path task : list.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                            .replaceAll("[0-9]+", "#");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    groups.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * tick, Long::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return groups;
        }
        return groups;
    }

    /** CPU time all CPUs spent busy (not idle, not waiting for I/O) since boot, from /proc/stat. */
    public static long machineBusyNanos() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy * (1_000_000_000L / TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * Resident memory by kind from {@code /proc/<pid>/smaps}: inside the Java heap's reserved range, other anonymous
     * memory (GC structures, metaspace, code, thread stacks, malloc), and file-backed mappings (jars, libraries).
     */
    public record RssBreakdown(long heapBytes, long otherAnonBytes, long fileBytes) {
    }

    /** Null when smaps cannot be read. {@code heapStart}/{@code heapEnd} 0: no heap range known. */
    public static RssBreakdown rssBreakdown(long pid, long heapStart, long heapEnd) {
        java.util.List<String> lines;
        try {
            lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/smaps"));
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
        long heap = 0;
        long anon = 0;
        long file = 0;
        long start = 0;
        long end = 0;
        boolean fileBacked = false;
        for (String line : lines) {
            int dash = line.indexOf('-');
            int space = line.indexOf(' ');
            if (dash > 0 && space > dash && isHex(line, 0, dash)) {
                start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                String[] f = line.trim().split("\\s+");
                fileBacked = f.length >= 6 && f[5].startsWith("/");
            } else if (line.startsWith("Rss:")) {
                long bytes = Long.parseLong(line.substring(4).trim().split("\\s+")[0]) * 1024;
                if (heapEnd > heapStart && start >= heapStart && end <= heapEnd) {
                    heap += bytes;
                } else if (fileBacked) {
                    file += bytes;
                } else {
                    anon += bytes;
                }
            }
        }
        return new RssBreakdown(heap, anon, file);
    }

    private static boolean isHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return to > from;
    }

    public static boolean alive(long pid) {
        return Files.exists(Path.of("/proc", Long.toString(pid), "stat"));
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return Long.parseLong(out);
        } catch (Exception e) {
            return 100;
        }
    }
}
