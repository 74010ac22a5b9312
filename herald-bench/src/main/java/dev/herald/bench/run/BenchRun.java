package dev.herald.bench.run;

import dev.herald.bench.load.LocalWorker;
import dev.herald.bench.load.RemoteWorker;
import dev.herald.bench.load.WorkerHandle;
import dev.herald.bench.load.WorkerPlan;
import dev.herald.bench.load.WorkerReport;
import dev.herald.bench.load.WorkerStatus;
import dev.herald.bench.server.JfrSummary;
import dev.herald.bench.server.Jcmd;
import dev.herald.bench.server.ProcStats;
import dev.herald.bench.server.ServerHandle;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What every scenario shares: the server under test, the generator's workers (in this process, or in worker
 * processes when there are more connections than one process may hold), progress lines, server samples from
 * /proc, and the optional JFR recording. Closing it closes the workers; the server is the caller's.
 */
public final class BenchRun implements AutoCloseable {
    public static final String WS_PATH = "/connection/websocket";
    private static final String JFR_NAME = "herald-bench";

    private final BenchOptions options;
    private final ServerHandle server;
    private final Report report;
    private final PrintStream out;
    private final Path runDir;
    private final long startedNanos = System.nanoTime();
    private final List<WorkerHandle> workers = new ArrayList<>();
    private ProcStats.Sample lastProgressSample;
    private long lastProgressDeliveries;
    /** The server JVM's {@code VM.flags}, read once; null without jcmd. */
    private final String serverFlags;

    public BenchRun(BenchOptions options, ServerHandle server, Report report, PrintStream out, Path runDir) {
        this.options = options;
        this.server = server;
        this.report = report;
        this.out = out;
        this.runDir = runDir;
        report.header("server", server.description());
        // What the server JVM really runs with (command line and ergonomics, e.g. the collector it chose).
        this.serverFlags = server.jcmd() ? Jcmd.vmFlags(server.pid()) : null;
        if (serverFlags != null) {
            report.header("server_jvm_flags", serverFlags);
            java.util.regex.Matcher gc = java.util.regex.Pattern.compile("-XX:\\+Use(\\w+GC)\\b").matcher(serverFlags);
            report.header("server_gc", gc.find() ? gc.group(1) : "(not in VM.flags)");
        }
    }

    public BenchOptions options() {
        return options;
    }

    public ServerHandle server() {
        return server;
    }

    public Report report() {
        return report;
    }

    public Path runDir() {
        return runDir;
    }

    public PrintStream out() {
        return out;
    }

    // ---- workers ----

    /**
     * Starts {@code n} connections numbered {@code [first, first + n)} over as many processes as the per-process
     * limit needs; each process binds its own 127.0.0.x source addresses.
     */
    public void startWorkers(int first, int n, String channelMode, int connsPerUser, int metaShards)
            throws IOException {
        startWorkers(server.port(), 1, first, n, channelMode, connsPerUser, 0, metaShards);
    }

    /**
     * As {@link #startWorkers(int, int, String, int, int)}, to {@code port} on the server's host (one node of a
     * cluster), with users cycling every {@code userCycle} connections when positive ({@link WorkerPlan#user}).
     * {@code shareOf} groups started together divide the connect rate and concurrency between them. Returns how
     * many workers it added: they come last in {@link #reports()}, in order.
     */
    public int startWorkers(int port, int shareOf, int first, int n, String channelMode, int connsPerUser,
                            int userCycle, int metaShards) throws IOException {
        int processes = Math.max(1, (n + options.perProcess - 1) / options.perProcess);
        int rate = Math.max(1, options.connectRate / processes / shareOf);
        int concurrency = Math.max(1, options.concurrency / processes / shareOf);
        long deadlineMillis = Math.max(60_000, 4_000L * n / Math.max(1, options.connectRate));
        WorkerPlan base = new WorkerPlan(0, server.host(), port, WS_PATH, options.protobuf(), first,
                first + n, channelMode, server.secret(), connsPerUser, userCycle, metaShards, List.of(),
                options.threads, rate, concurrency, deadlineMillis, deadlineMillis / 1000 + 3600);
        int offset = workers.size();
        for (int k = 0; k < processes; k++) {
            int from = first + (int) ((long) n * k / processes);
            int to = first + (int) ((long) n * (k + 1) / processes);
            List<String> ips = new ArrayList<>();
            for (int j = 0; j < options.sourceIps; j++) {
                ips.add("127.0.0." + (2 + ((offset + k) * options.sourceIps + j) % 250));
            }
            WorkerPlan plan = base.slice(offset + k, from, to, ips);
            if (processes == 1) {
                workers.add(new LocalWorker(plan));
            } else {
                Path log = runDir.resolve("worker-" + (offset + k) + ".log");
                List<String> jvm = Arrays.stream(options.workerJvmOpts.trim().split("\\s+"))
                        .filter(s -> !s.isEmpty()).toList();
                workers.add(new RemoteWorker(plan, jvm, log));
            }
        }
        // All processes start connecting together, once every JVM is up.
        List<WorkerHandle> added = workers.subList(offset, workers.size());
        for (WorkerHandle w : added) {
            if (!w.awaitAlive(120_000)) {
                throw new IOException("a generator worker process did not start; see " + runDir);
            }
        }
        added.forEach(WorkerHandle::start);
        out.printf("opening %,d connection(s) from %d generator process(es)%n", n, processes);
        return processes;
    }

    public WorkerStatus status() {
        return WorkerStatus.sum(workers.stream().map(WorkerHandle::status).toList());
    }

    public List<WorkerReport> reports() {
        return workers.stream().map(WorkerHandle::report).toList();
    }

    public static Histogram merge(List<WorkerReport> reports, java.util.function.Function<WorkerReport, Histogram> f) {
        Histogram all = new Histogram(TimeUnit.HOURS.toMicros(1), 3);
        reports.forEach(r -> all.add(f.apply(r)));
        return all;
    }

    /** Waits until every worker has opened (or given up on) all its connections, with progress lines. */
    public WorkerStatus awaitConnectPhase(String phase, long limitSeconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(limitSeconds);
        long nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        WorkerStatus s = status();
        while (!s.connectPhaseOver() && System.nanoTime() < deadline) {
            sleepMillis(20);
            s = status();
            if (System.nanoTime() > nextProgress) {
                progress(phase, s, null);
                nextProgress += TimeUnit.SECONDS.toNanos(1);
            }
        }
        return s;
    }

    /** Closes every connection of every worker (the workers stay up). */
    public void closeConnections() {
        workers.forEach(WorkerHandle::closeConnections);
    }

    /** Ends the workers (and their processes). */
    public void closeWorkers() {
        workers.forEach(WorkerHandle::close);
        workers.clear();
    }

    /** CPU time of the generator: this process and the worker processes. */
    public long generatorCpuNanos() {
        Set<Long> pids = new LinkedHashSet<>();
        pids.add(ProcessHandle.current().pid());
        workers.forEach(w -> pids.add(w.pid()));
        long sum = 0;
        for (long pid : pids) {
            if (ProcStats.alive(pid)) {
                sum += ProcStats.read(pid).cpuNanos();
            }
        }
        return sum;
    }

    /**
     * Machine, server, generator and the server's helper processes' CPU at one moment, to tell afterwards how busy
     * everything else was.
     */
    public record Load(long wallNanos, long machineNanos, long serverNanos, long generatorNanos, long helperNanos) {
    }

    public Load load() {
        long helpers = 0;
        for (long pid : server.helperPids()) {
            if (ProcStats.alive(pid)) {
                helpers += ProcStats.read(pid).cpuNanos();
            }
        }
        return new Load(System.nanoTime(), ProcStats.machineBusyNanos(), sample().cpuNanos(), generatorCpuNanos(),
                helpers);
    }

    /**
     * Reports the CPU that processes other than the server, its helpers and the generator used between two
     * {@link #load()} samples: on a shared machine that is the noise in every number of the window.
     */
    public void recordOtherLoad(String window, Load from, Load to) {
        double wall = to.wallNanos() - from.wallNanos();
        double other = ((to.machineNanos() - from.machineNanos()) - (to.serverNanos() - from.serverNanos())
                - (to.generatorNanos() - from.generatorNanos()) - (to.helperNanos() - from.helperNanos())) / wall;
        report.result("other_processes_cores (" + window + ")", Math.max(0, other));
        if (other > 0.1) {
            report.note(String.format("other processes used %.2f cores during the %s window: numbers are noisy",
                    other, window));
        }
    }

    /** The server's thread CPU by group, summed over its processes (a cluster's nodes). */
    public java.util.Map<String, Long> serverThreads() {
        java.util.Map<String, Long> all = new java.util.TreeMap<>();
        for (long pid : server.pids()) {
            ProcStats.threadCpuNanos(pid).forEach((name, ns) -> all.merge(name, ns, Long::sum));
        }
        return all;
    }

    /**
     * Adds the server's CPU by thread group over a window (threads that ended within it are not counted) and
     * returns the JIT compiler threads' part of it, in nanoseconds.
     */
    public long recordServerThreads(String window, java.util.Map<String, Long> from, java.util.Map<String, Long> to) {
        java.util.Map<String, Long> delta = new java.util.HashMap<>();
        to.forEach((name, ns) -> delta.put(name, ns - from.getOrDefault(name, 0L)));
        long total = delta.values().stream().mapToLong(Long::longValue).sum();
        if (total <= 0) {
            return 0;
        }
        StringBuilder md = new StringBuilder("| thread group | CPU ms | share |\n|---|---:|---:|\n");
        java.util.Map<String, Double> shares = new java.util.LinkedHashMap<>();
        delta.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> {
                    double share = 100.0 * e.getValue() / total;
                    shares.put(e.getKey(), share);
                    md.append(String.format("| `%s` | %,.0f | %.1f%% |%n", e.getKey(), e.getValue() / 1e6, share));
                });
        report.section("Server CPU by thread (" + window + " window, /proc/<pid>/task)", md.toString());
        report.extra("server_thread_cpu_share_percent", shares);
        return jitNanos(from, to);
    }

    /** One warm-up round of a scenario. */
    @FunctionalInterface
    public interface Round {
        void run() throws Exception;
    }

    /**
     * Repeats {@code round} until one in which the server's JIT compiler threads used under 5% of the server's CPU,
     * at most {@code maxRounds} times: on a one-core server the compiler otherwise competes with the event loop
     * through the measured window. Reports the rounds ({@code label} says what one is) and the last round's share.
     */
    public void settleJit(String label, int maxRounds, Round round) throws Exception {
        int rounds = 0;
        double share = Double.NaN;
        while (rounds < maxRounds) {
            java.util.Map<String, Long> threads0 = serverThreads();
            ProcStats.Sample p0 = sample();
            round.run();
            long cpu = sample().minus(p0).cpuNanos();
            share = cpu <= 0 ? 0 : jitNanos(threads0, serverThreads()) / (double) cpu;
            rounds++;
            if (share < 0.05) {
                break;
            }
        }
        report.result("jit_settle_rounds (" + label + ")", rounds)
                .result("jit_share_of_server_cpu_in_last_settle_round", share);
    }

    /** CPU the JIT compiler threads used between two {@link #serverThreads()} samples. */
    public static long jitNanos(java.util.Map<String, Long> from, java.util.Map<String, Long> to) {
        return to.entrySet().stream().filter(e -> e.getKey().contains("CompilerThre"))
                .mapToLong(e -> e.getValue() - from.getOrDefault(e.getKey(), 0L)).sum();
    }

    // ---- server ----

    /** The server's /proc counters, summed over its processes (a cluster's nodes). */
    public ProcStats.Sample sample() {
        List<Long> pids = server.pids();
        if (pids.size() == 1) {
            return ProcStats.read(pids.getFirst());
        }
        return ProcStats.sum(pids.stream().map(ProcStats::read).toList());
    }

    /**
     * A full GC in the server (if allowed) and a short settle, before a memory sample. When the server trims its
     * native heap periodically ({@code -XX:TrimNativeHeapInterval}), the GC is followed by one interval's wait and a
     * second full GC, so that every sample (baseline and end alike) comes after one of the server's own trims, not
     * at a random point between two of them, and the heap holds no garbage of the wait.
     */
    public boolean gc() {
        if (options.noGc || !server.jcmd()) {
            return false;
        }
        boolean ok = Jcmd.gc(server.pid());
        if (settleMillis() > SETTLE_MILLIS) {
            sleepMillis(settleMillis() - SETTLE_MILLIS);
            ok &= Jcmd.gc(server.pid());
        }
        sleepMillis(SETTLE_MILLIS);
        return ok;
    }

    private static final long SETTLE_MILLIS = 1500;

    private long settleMillis = -1;

    public long settleMillis() {
        if (settleMillis < 0) {
            settleMillis = SETTLE_MILLIS;
            java.util.regex.Matcher m = serverFlags == null ? null
                    : java.util.regex.Pattern.compile("-XX:TrimNativeHeapInterval=(\\d+)").matcher(serverFlags);
            if (m != null && m.find() && Long.parseLong(m.group(1)) > 0) {
                settleMillis += Long.parseLong(m.group(1));
            }
        }
        return settleMillis;
    }

    public void startJfr() {
        if (options.jfr && server.jcmd()) {
            Path file = runDir.resolve(report.scenario() + "-server.jfr").toAbsolutePath();
            // 1 ms samples instead of the profile's 10/20 ms: enough samples from a window of seconds. CPU-time
            // sampling (Java 25, Linux) also sees the time threads spend in native code and syscalls.
            String r = Jcmd.run(server.pid(), "JFR.start", "name=" + JFR_NAME, "settings=profile",
                    "jdk.ExecutionSample#period=1ms", "jdk.NativeMethodSample#period=1ms",
                    "jdk.CPUTimeSample#enabled=true", "jdk.CPUTimeSample#throttle=1ms", "filename=" + file);
            if (r == null) {
                r = Jcmd.run(server.pid(), "JFR.start", "name=" + JFR_NAME, "settings=profile",
                        "jdk.ExecutionSample#period=1ms", "jdk.NativeMethodSample#period=1ms", "filename=" + file);
            }
            out.println(r == null ? "JFR: could not start" : "JFR: recording server to " + file);
        }
    }

    /** Stops the recording and adds its summary to the report. */
    public void stopJfr() {
        if (!options.jfr || !server.jcmd()) {
            return;
        }
        Path file = runDir.resolve(report.scenario() + "-server.jfr").toAbsolutePath();
        Jcmd.run(server.pid(), "JFR.stop", "name=" + JFR_NAME);
        try {
            if (Files.exists(file)) {
                JfrSummary.Summary summary = JfrSummary.read(file, 25);
                report.section("Server profile (JFR, measured window)", "Recording: `" + file + "`\n\n"
                        + JfrSummary.markdown(summary));
                report.extra("jfr", summary);
            }
        } catch (IOException e) {
            report.note("JFR summary failed: " + e.getMessage());
        }
    }

    // ---- progress ----

    /** One progress line: connections, delivery rate, p99, server CPU and RSS since the last line. */
    public void progress(String phase, WorkerStatus s, String extra) {
        if (options.quiet) {
            return;
        }
        ProcStats.Sample now = server.pids().stream().allMatch(ProcStats::alive) ? sample() : null;
        String cpu = "";
        if (now != null && lastProgressSample != null) {
            ProcStats.Delta d = now.minus(lastProgressSample);
            double secs = d.wallNanos() / 1e9;
            long deliveryRate = secs <= 0 ? 0 : Math.round((s.deliveries() - lastProgressDeliveries) / secs);
            cpu = String.format(" | deliv %,d/s | server cpu %.0f%% (usr %.0f%% sys %.0f%%)", deliveryRate,
                    100 * d.cores(), 100.0 * d.userNanos() / d.wallNanos(), 100.0 * d.systemNanos() / d.wallNanos());
        }
        String p99 = s.measuredP99Micros() >= 0 ? String.format(" | p99 %.1f ms", s.measuredP99Micros() / 1000.0) : "";
        out.printf("[%-8s %6.1fs] ready %,d/%,d fail %,d drop %,d%s%s | rss %,d MB%s%n", phase,
                (System.nanoTime() - startedNanos) / 1e9, s.ready(), s.target(), s.failed(), s.dropped(), cpu, p99,
                now == null ? 0 : now.rssBytes() >> 20, extra == null ? "" : " | " + extra);
        out.flush();
        lastProgressSample = now;
        lastProgressDeliveries = s.deliveries();
    }

    /** Records connection failures (by reason) in the report, if any. */
    public void recordFailures(WorkerStatus s) {
        if (!s.failures().isEmpty()) {
            report.extra("connection_failures", s.failures());
            s.failures().forEach((k, v) -> report.note("connection failures: " + v + " x " + k));
        }
    }

    public static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        closeWorkers();
    }
}
