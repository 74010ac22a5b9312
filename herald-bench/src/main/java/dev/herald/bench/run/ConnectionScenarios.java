package dev.herald.bench.run;

import dev.herald.bench.load.WorkerReport;
import dev.herald.bench.load.WorkerStatus;
import dev.herald.bench.server.Jcmd;
import dev.herald.bench.server.ProcStats;

import java.util.List;
import java.util.concurrent.TimeUnit;

/** Scenarios about connections themselves: {@code idle} (memory per connection) and {@code connect} (CPU per connect). */
public final class ConnectionScenarios {
    private ConnectionScenarios() {
    }

    /**
     * N connections, each subscribed, then left idle (answering pings): server RSS growth per connection after a
     * full GC, against a baseline taken after a warm-up round of connections was opened and closed.
     */
    public static void idle(BenchRun run) throws Exception {
        BenchOptions o = run.options();
        int n = o.connections != null ? o.connections : 10_000;
        int hold = o.duration != null ? o.duration : 30;
        String mode = "unique".equals(o.channelMode) ? "unique:idle." : "shared:idle";
        int warm = Math.min(1_000, Math.max(1, n / 10));
        Report report = run.report();
        report.param("connections", n).param("subscriptions", "unique".equals(o.channelMode)
                        ? "one channel each (idle.<i>)" : "all in one channel (idle)")
                .param("protocol", o.protocol).param("hold_s", hold).param("warmup_connections", warm)
                .param("gc_before_samples", !o.noGc && run.server().jcmd())
                .param("settle_after_gc_ms", !o.noGc && run.server().jcmd() ? run.settleMillis() : 0);

        warmRound(run, n, warm, mode);
        boolean gc = run.gc();
        BenchRun.Load l0 = run.load();
        ProcStats.Sample base = run.sample();
        Jcmd.HeapInfo heapBase = run.server().jcmd() ? Jcmd.heapInfo(run.server().pid()) : null;
        ProcStats.RssBreakdown rssBase = heapBase == null ? null
                : ProcStats.rssBreakdown(run.server().pid(), heapBase.reservedStart(), heapBase.reservedEnd());
        // The baseline's live objects by class (the histogram runs a full GC of its own; RSS is sampled already).
        String histBase = run.server().jcmd() ? Jcmd.run(run.server().pid(), "GC.class_histogram") : null;
        // With -XX:NativeMemoryTracking=summary in the server's options, the end shows where RSS went.
        boolean nmt = run.server().jcmd() && nmtAvailable(Jcmd.run(run.server().pid(), "VM.native_memory", "baseline"));
        run.startWorkers(0, n, mode, 1, 0);
        WorkerStatus s = DeliveryScenarios.connect(run);
        ProcStats.Sample connected = run.sample();
        long ready = s.ready();
        long holdEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(hold);
        ProcStats.Sample holdStart = run.sample();
        long pingsBefore = run.status().pings();
        while (System.nanoTime() < holdEnd) {
            BenchRun.sleepMillis(1000);
            run.progress("idle", run.status(), null);
        }
        ProcStats.Sample holdStop = run.sample();
        long pingsInHold = run.status().pings() - pingsBefore;
        run.recordOtherLoad("connect and hold", l0, run.load());
        if (gc) {
            run.gc();
        }
        ProcStats.Sample after = run.sample();
        Jcmd.HeapInfo heapAfter = run.server().jcmd() ? Jcmd.heapInfo(run.server().pid()) : null;
        WorkerStatus end = run.status();
        if (heapBase != null && heapAfter != null) {
            report.result("server_heap_used_growth_per_connection_kb" + (gc ? " (live, after GC)" : ""),
                    (heapAfter.usedBytes() - heapBase.usedBytes()) / 1024.0 / ready);
            report.result("server_heap_committed_growth_per_connection_kb",
                    (heapAfter.committedBytes() - heapBase.committedBytes()) / 1024.0 / ready);
            report.result("server_heap_baseline_mb (used / committed)", String.format("%.1f / %.1f",
                    heapBase.usedBytes() / 1048576.0, heapBase.committedBytes() / 1048576.0));
            report.result("server_heap_end_mb (used / committed)", String.format("%.1f / %.1f",
                    heapAfter.usedBytes() / 1048576.0, heapAfter.committedBytes() / 1048576.0));
        }
        double perConnKb = (after.rssBytes() - base.rssBytes()) / 1024.0 / ready;
        if (heapBase != null && heapAfter != null) {
            // Where RSS is: the heap's touched pages versus the JVM's other memory.
            ProcStats.RssBreakdown b = rssBase;
            ProcStats.RssBreakdown e = ProcStats.rssBreakdown(run.server().pid(), heapAfter.reservedStart(),
                    heapAfter.reservedEnd());
            if (b != null && e != null) {
                report.result("server_rss_mb baseline (java heap / other anon / files)", String.format(
                        "%.1f / %.1f / %.1f", b.heapBytes() / 1048576.0, b.otherAnonBytes() / 1048576.0,
                        b.fileBytes() / 1048576.0));
                report.result("server_rss_mb end (java heap / other anon / files)", String.format(
                        "%.1f / %.1f / %.1f", e.heapBytes() / 1048576.0, e.otherAnonBytes() / 1048576.0,
                        e.fileBytes() / 1048576.0));
                report.result("server_rss_growth_per_connection_kb in java heap",
                        (e.heapBytes() - b.heapBytes()) / 1024.0 / ready);
                report.result("server_rss_growth_per_connection_kb outside java heap",
                        (e.otherAnonBytes() + e.fileBytes() - b.otherAnonBytes() - b.fileBytes()) / 1024.0 / ready);
            }
        }
        report.result("server_rss_baseline_mb", base.rssBytes() / 1048576.0)
                .result("server_rss_connected_mb (no GC)", connected.rssBytes() / 1048576.0)
                .result("server_rss_end_mb" + (gc ? " (after GC)" : ""), after.rssBytes() / 1048576.0)
                .result("server_rss_growth_per_connection_kb (no GC, right after connecting)",
                        (connected.rssBytes() - base.rssBytes()) / 1024.0 / ready)
                .result("server_rss_growth_per_connection_kb" + (gc ? " (after GC)" : ""), perConnKb)
                .result("server_idle_cpu_cores (pings)", holdStop.minus(holdStart).cores())
                .result("pings_answered_in_hold", pingsInHold)
                .result("server_cpu_per_ping_us (hold CPU / pings in hold)", pingsInHold == 0 ? Double.NaN
                        : holdStop.minus(holdStart).cpuNanos() / 1e3 / pingsInHold)
                .result("server_threads", after.threads())
                .result("pings_answered", end.pings())
                .result("connections_dropped", end.dropped());
        report.target("memory per idle subscribed WebSocket", "<= 4 KB RSS growth",
                String.format("%.2f KB", perConnKb), perConnKb <= 4.0);
        if (run.server().jcmd()) {
            classHistogram(run, ready, histBase);
        }
        if (nmt) {
            String diff = Jcmd.run(run.server().pid(), "VM.native_memory", "summary.diff", "scale=KB");
            if (diff != null) {
                report.section("Server native memory since the baseline (NMT summary.diff)",
                        "```\n" + diff.strip() + "\n```\n");
            }
        }
        List<WorkerReport> reports = run.reports();
        report.latency("connect (TCP start to connect reply)", BenchRun.merge(reports, WorkerReport::connectLatency))
                .latency("ready (TCP start to subscribed)", BenchRun.merge(reports, WorkerReport::readyLatency));
        run.recordFailures(end);
    }

    private static boolean nmtAvailable(String baselineOutput) {
        return baselineOutput != null && baselineOutput.contains("Baseline taken");
    }

    /** Opens and closes a round of connections so that JIT-compiled code is not counted as per-connection memory. */
    private static void warmRound(BenchRun run, int firstIndex, int count, String mode) throws Exception {
        if (count <= 0) {
            return;
        }
        run.startWorkers(firstIndex, count, mode, 1, 0);
        run.awaitConnectPhase("warm-up", 300);
        BenchRun.sleepMillis(1000);
        run.closeConnections();
        run.closeWorkers();
        BenchRun.sleepMillis(2000);
    }

    private static void classHistogram(BenchRun run, long connections, String baseline) {
        String end = Jcmd.run(run.server().pid(), "GC.class_histogram");
        List<Jcmd.ClassCount> rows = Jcmd.parseClassHistogram(end, 25);
        if (rows.isEmpty()) {
            return;
        }
        StringBuilder md = new StringBuilder("Live objects in the server heap (jcmd GC.class_histogram), per "
                + "connection = bytes / connections ready.\n\n| class | instances | bytes | bytes per connection |\n"
                + "|---|---:|---:|---:|\n");
        for (Jcmd.ClassCount c : rows) {
            md.append(String.format("| `%s` | %,d | %,d | %.1f |%n", c.className(), c.instances(), c.bytes(),
                    (double) c.bytes() / connections));
        }
        run.report().section("Server heap by class", md.toString());
        run.report().extra("class_histogram", rows);
        try {
            java.nio.file.Files.writeString(run.runDir().resolve("class-histogram-end.txt"), end);
            if (baseline != null) {
                java.nio.file.Files.writeString(run.runDir().resolve("class-histogram-baseline.txt"), baseline);
            }
        } catch (java.io.IOException e) {
            run.report().note("class histograms not saved: " + e.getMessage());
        }
        if (baseline == null) {
            return;
        }
        // Growth by class over the baseline (after the warm-up round): what the connections themselves hold.
        java.util.Map<String, long[]> growth = new java.util.HashMap<>();
        for (Jcmd.ClassCount c : Jcmd.parseClassHistogram(end, Integer.MAX_VALUE)) {
            growth.put(c.className(), new long[]{c.instances(), c.bytes()});
        }
        for (Jcmd.ClassCount c : Jcmd.parseClassHistogram(baseline, Integer.MAX_VALUE)) {
            long[] g = growth.computeIfAbsent(c.className(), k -> new long[2]);
            g[0] -= c.instances();
            g[1] -= c.bytes();
        }
        long total = growth.values().stream().mapToLong(g -> g[1]).sum();
        StringBuilder diff = new StringBuilder(String.format("Live objects added since the baseline (end minus "
                + "baseline histogram), per connection; all classes together: %.1f bytes per connection.%n%n"
                + "| class | instances per connection | bytes per connection |%n|---|---:|---:|%n",
                (double) total / connections));
        java.util.Map<String, Double> perConnection = new java.util.LinkedHashMap<>();
        growth.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).limit(30)
                .forEach(e -> {
                    double bytes = (double) e.getValue()[1] / connections;
                    perConnection.put(e.getKey(), bytes);
                    diff.append(String.format("| `%s` | %.2f | %.1f |%n", e.getKey(),
                            (double) e.getValue()[0] / connections, bytes));
                });
        run.report().section("Server heap growth by class", diff.toString());
        run.report().result("server_live_bytes_per_connection (class histogram growth)",
                (double) total / connections);
        run.report().extra("class_histogram_growth_bytes_per_connection", perConnection);
    }

    /**
     * A storm of JWT-authenticated connects (no subscriptions): server CPU per connect over the storm, after a
     * warm-up storm that is opened and closed first.
     */
    public static void connect(BenchRun run) throws Exception {
        BenchOptions o = run.options();
        int n = o.connections != null ? o.connections : 10_000;
        // A storm as large as the measured one compiles the connect path fully before it is measured.
        int warm = o.warmupConnections != null ? o.warmupConnections : Math.min(n, 10_000);
        Report report = run.report();
        report.param("connections", n).param("auth", run.server().secret().isEmpty() ? "none" : "HS256 JWT")
                .param("protocol", o.protocol).param("connect_rate_limit_per_s", o.connectRate)
                .param("concurrency", o.concurrency).param("warmup_connections", warm);
        // The warm-up storms use the measured storm's users (0..), closed again before it starts: the JIT then sees
        // the same token and id shapes (short and long user ids) that it will run on.
        warmRound(run, 0, warm, "none");
        if (o.settleJit) {
            // --no-settle-jit measures right after the first warm-up storm.
            run.settleJit("warm-up storms after the first", 10, () -> warmRound(run, 0, warm, "none"));
        }
        run.startJfr();
        BenchRun.Load l0 = run.load();
        java.util.Map<String, Long> threads0 = run.serverThreads();
        ProcStats.Sample p0 = run.sample();
        long g0 = run.generatorCpuNanos();
        run.startWorkers(0, n, "none", 1, 0);
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(900);
        long nextProgress = t0 + TimeUnit.SECONDS.toNanos(1);
        WorkerStatus s = run.status();
        while (!s.connectPhaseOver() && System.nanoTime() < deadline) {
            BenchRun.sleepMillis(10);
            s = run.status();
            if (System.nanoTime() > nextProgress) {
                run.progress("connect", s, null);
                nextProgress += TimeUnit.SECONDS.toNanos(1);
            }
        }
        long t1 = System.nanoTime();
        ProcStats.Sample p1 = run.sample();
        long g1 = run.generatorCpuNanos();
        run.recordOtherLoad("storm", l0, run.load());
        long jit = run.recordServerThreads("storm", threads0, run.serverThreads());
        run.stopJfr();
        ProcStats.Delta d = p1.minus(p0);
        long ready = s.ready();
        double seconds = (t1 - t0) / 1e9;
        double perConnectMs = ready == 0 ? Double.NaN : d.cpuNanos() / 1e6 / ready;
        report.result("connections_ready", ready).result("connections_failed", s.failed())
                .result("storm_s", seconds).result("connects_per_s", ready / seconds)
                .result("server_cpu_ms", d.cpuNanos() / 1e6)
                .result("server_cores_used", d.cores())
                .result("server_cpu_per_connect_ms", perConnectMs)
                .result("server_cpu_per_connect_ms_without_jit", ready == 0 ? Double.NaN
                        : (d.cpuNanos() - jit) / 1e6 / ready)
                .result("server_user_cpu_per_connect_ms", ready == 0 ? Double.NaN : d.userNanos() / 1e6 / ready)
                .result("server_system_cpu_per_connect_ms", ready == 0 ? Double.NaN : d.systemNanos() / 1e6 / ready)
                .result("server_rss_growth_per_connection_kb (no GC)", ready == 0 ? Double.NaN
                        : d.rssBytes() / 1024.0 / ready)
                .result("generator_cores_used", (g1 - g0) / (double) (t1 - t0));
        report.target("server CPU per JWT-authenticated connect", "<= 0.12 ms",
                String.format("%.3f ms (%.3f ms without JIT compiler threads)", perConnectMs,
                        (d.cpuNanos() - jit) / 1e6 / Math.max(1, ready)), perConnectMs <= 0.12);
        if (d.cores() < 0.9) {
            report.note(String.format("the server used %.0f%% of its core during the storm: the generator "
                    + "(rate limit, concurrency, its own core) set the pace, not the server", 100 * d.cores()));
        }
        List<WorkerReport> reports = run.reports();
        report.latency("connect (TCP start to connect reply)", BenchRun.merge(reports, WorkerReport::connectLatency));
        run.recordFailures(s);
    }
}
