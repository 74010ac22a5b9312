package dev.herald.bench.run;

import dev.herald.bench.load.WorkerReport;
import dev.herald.bench.load.WorkerStatus;
import dev.herald.bench.server.ProcStats;
import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Scenarios that publish through the HTTP API and measure deliveries: {@code fanout} (one channel, many
 * subscribers) and {@code channels} (a personal channel per connection plus a group channel per ten).
 */
public final class DeliveryScenarios {
    /** The rate above which a fan-out run is judged by the high-rate targets (500k/s, p99 200 ms). */
    private static final double HIGH_RATE_DELIVERIES = 200_000;

    private DeliveryScenarios() {
    }

    public static void fanout(BenchRun run) throws Exception {
        BenchOptions o = run.options();
        int subscribers = o.connections != null ? o.connections : 5_000;
        double rate = o.rate != null ? o.rate : 10;
        Report report = run.report();
        report.param("subscribers", subscribers).param("channel", "bench").param("rate_per_s", rate)
                .param("payload_bytes", o.payload).param("protocol", o.protocol)
                .param("warmup_s", warmup(o)).param("duration_s", duration(o));
        Floor.Result floor = null;
        if (o.floor) {
            floor = Floor.measureForReport(run);
        }
        run.startWorkers(0, subscribers, "shared:bench", 1, 0);
        WorkerStatus s = connect(run);
        int ready = (int) s.ready();
        Measurement m = measure(run, seq -> new HttpPublisher.Target("bench", ready), rate, (double) ready * rate);
        if (m == null) {
            return;
        }
        double offered = rate * ready;
        double p99 = m.p99Millis();
        if (offered >= HIGH_RATE_DELIVERIES) {
            report.target("fan-out at 100 msg/s: deliveries/s on one server core", ">= 500,000/s (all offered)",
                    String.format("%,.0f/s of %,.0f/s offered", m.deliveriesPerSecond, offered),
                    m.deliveriesPerSecond >= 500_000 * 0.98 && m.deliveriesPerSecond >= offered * 0.98);
            report.target("fan-out at 100 msg/s: p99 latency", "<= 200 ms", String.format("%.1f ms", p99),
                    p99 <= 200);
        } else {
            if (floor != null) {
                double ratio = m.cpuPerDeliveryMicros / floor.paced1().cpuMicrosPerWrite();
                report.target("fan-out at 10 msg/s: server CPU per delivery", "<= 1.2 x one write(2) ("
                                + String.format("%.2f us here", floor.paced1().cpuMicrosPerWrite()) + ")",
                        String.format("%.2f us (%.2f x)", m.cpuPerDeliveryMicros, ratio), ratio <= 1.2);
            } else {
                report.target("fan-out at 10 msg/s: server CPU per delivery", "<= 1.2 x one write(2)",
                        String.format("%.2f us (floor not measured in this run: --floor)", m.cpuPerDeliveryMicros),
                        null);
            }
            report.target("fan-out at 10 msg/s: p99 latency", "< 336 ms (nchan)", String.format("%.1f ms", p99),
                    p99 < 336);
        }
    }

    public static void channels(BenchRun run) throws Exception {
        BenchOptions o = run.options();
        int n = o.connections != null ? o.connections : 10_000;
        int groupSize = o.groupSize;
        double rate = o.rate != null ? o.rate : 1_000;
        int groups = (n + groupSize - 1) / groupSize;
        Report report = run.report();
        report.param("connections", n).param("channels_per_connection", "2 (p.<i> personal, g.<i/"
                        + groupSize + "> group)").param("group_size", groupSize).param("rate_per_s", rate)
                .param("mix", "alternating: personal (1 receiver), group (" + groupSize + " receivers)")
                .param("payload_bytes", o.payload).param("protocol", o.protocol)
                .param("warmup_s", warmup(o)).param("duration_s", duration(o));
        ProcStats.Sample before = run.sample();
        run.startWorkers(0, n, "personal-group:" + groupSize, 1, 0);
        WorkerStatus s = connect(run);
        ProcStats.Sample after = run.sample();
        if (s.ready() > 0) {
            report.result("server_rss_growth_per_connection_kb (no GC)",
                    (after.rssBytes() - before.rssBytes()) / 1024.0 / s.ready());
        }
        SplittableRandom random = new SplittableRandom(42);
        HttpPublisher.Targets targets = seq -> {
            if ((seq & 1) == 0) {
                return new HttpPublisher.Target("p." + random.nextInt(n), 1);
            }
            int g = random.nextInt(groups);
            return new HttpPublisher.Target("g." + g, Math.min(groupSize, n - g * groupSize));
        };
        measure(run, targets, rate, rate * (1 + groupSize) / 2.0);
    }

    static int warmup(BenchOptions o) {
        return o.warmup != null ? o.warmup : 5;
    }

    static int duration(BenchOptions o) {
        return o.duration != null ? o.duration : 20;
    }

    /** Opens the workers' connections and records connect-phase numbers. */
    static WorkerStatus connect(BenchRun run) {
        ProcStats.Sample p0 = run.sample();
        long t0 = System.nanoTime();
        WorkerStatus s = run.awaitConnectPhase("connect", 900);
        ProcStats.Sample p1 = run.sample();
        double secs = (System.nanoTime() - t0) / 1e9;
        Report report = run.report();
        report.result("connections_ready", s.ready()).result("connections_failed", s.failed())
                .result("connect_phase_s", secs).result("connects_per_s", s.ready() / secs);
        if (s.ready() > 0) {
            report.result("server_cpu_per_connect_and_subscribe_ms",
                    p1.minus(p0).cpuNanos() / 1e6 / s.ready());
        }
        run.recordFailures(s);
        if (s.ready() == 0) {
            throw new IllegalStateException("no connection became ready: " + s.failures());
        }
        return s;
    }

    /** What {@link #measure} found, for the caller's targets. */
    record Measurement(double deliveriesPerSecond, double cpuPerDeliveryMicros, Histogram latency) {
        double p99Millis() {
            return latency.getTotalCount() == 0 ? Double.NaN : latency.getValueAtPercentile(99) / 1000.0;
        }
    }

    /**
     * What a scenario measures besides the server over exactly the measured window (a cluster's Redis): called
     * right after the server's first sample and right after its last.
     */
    interface Window {
        Window NONE = new Window() {
            @Override
            public void opened() {
            }

            @Override
            public void closed() {
            }
        };

        void opened();

        void closed();
    }

    static Measurement measure(BenchRun run, HttpPublisher.Targets targets, double rate, double offered)
            throws Exception {
        return measure(run, targets, rate, offered, Window.NONE);
    }

    /**
     * Warm-up publications, a pause until they are delivered, then the measured publications; the window runs from
     * the first measured publication until the last measured delivery arrived (or the drain limit).
     */
    static Measurement measure(BenchRun run, HttpPublisher.Targets targets, double rate, double offered,
                               Window extra) throws Exception {
        BenchOptions o = run.options();
        Report report = run.report();
        int warmup = warmup(o);
        int duration = duration(o);
        try (HttpPublisher publisher = new HttpPublisher(run.server().host(), run.server().port(),
                run.server().apiKey(), 256)) {
            String probe = publisher.probe("bench-probe");
            if (probe != null) {
                report.note("HTTP API publish failed, nothing measured: " + probe);
                run.out().println("HTTP API publish failed: " + probe);
                return null;
            }
            long warmDeliveries = 0;
            if (warmup > 0) {
                HttpPublisher.Run w = publishWithProgress(run, publisher, targets, rate, (long) (rate * warmup),
                        false, "warmup");
                warmDeliveries = w.expectedDeliveries();
                awaitDeliveries(run, warmDeliveries, false, 15, "warmup");
            }
            if (o.settleJit) {
                // Rounds of 2 s of the offered rate; each waits for its deliveries (counted from the warm-up on).
                long[] expected = {warmDeliveries};
                run.settleJit("2 s of publications each", 20, () -> {
                    HttpPublisher.Run w = publishWithProgress(run, publisher, targets, rate,
                            Math.max(1, (long) (rate * 2)), false, "settle-jit");
                    expected[0] += w.expectedDeliveries();
                    awaitDeliveries(run, expected[0], false, 15, "settle-jit");
                });
            }
            run.startJfr();
            BenchRun.Load l0 = run.load();
            java.util.Map<String, Long> threads0 = run.serverThreads();
            long g0 = run.generatorCpuNanos();
            ProcStats.Sample p0 = run.sample();
            extra.opened();
            HttpPublisher.Run pub = publishWithProgress(run, publisher, targets, rate, (long) (rate * duration),
                    true, "measure");
            WorkerStatus s = awaitDeliveries(run, pub.expectedDeliveries(), true, Math.max(10, duration), "drain");
            ProcStats.Sample p1 = run.sample();
            extra.closed();
            long g1 = run.generatorCpuNanos();
            run.recordOtherLoad("measured", l0, run.load());
            long jit = run.recordServerThreads("measured", threads0, run.serverThreads());
            run.stopJfr();

            List<WorkerReport> reports = run.reports();
            Histogram latency = BenchRun.merge(reports, WorkerReport::measuredLatency);
            WorkerStatus end = WorkerStatus.sum(reports.stream().map(WorkerReport::status).toList());
            ProcStats.Delta d = p1.minus(p0);
            long delivered = end.measuredDeliveries();
            double window = d.wallNanos() / 1e9;
            double perSecond = delivered / window;
            double cpuPerDelivery = delivered == 0 ? Double.NaN : d.cpuNanos() / 1e3 / delivered;
            report.result("publications_ok", pub.ok()).result("publications_failed", pub.failed())
                    .result("publish_rate_achieved_per_s", pub.ok() / pub.seconds())
                    .result("deliveries_offered_per_s", offered)
                    .result("deliveries_expected", pub.expectedDeliveries())
                    .result("deliveries_received", delivered)
                    .result("delivered_percent", pub.expectedDeliveries() == 0 ? 0
                            : 100.0 * delivered / pub.expectedDeliveries())
                    .result("measured_window_s", window)
                    .result("deliveries_per_s", perSecond)
                    .result("server_cpu_ms", d.cpuNanos() / 1e6)
                    .result("server_cores_used", d.cores())
                    .result("server_cpu_per_delivery_us", cpuPerDelivery)
                    .result("server_cpu_per_publication_us (API request + its deliveries)", pub.ok() == 0
                            ? Double.NaN : d.cpuNanos() / 1e3 / pub.ok())
                    .result("server_cpu_per_delivery_us_without_jit", delivered == 0 ? Double.NaN
                            : (d.cpuNanos() - jit) / 1e3 / delivered)
                    .result("server_user_cpu_per_delivery_us", delivered == 0 ? Double.NaN
                            : d.userNanos() / 1e3 / delivered)
                    .result("server_system_cpu_per_delivery_us", delivered == 0 ? Double.NaN
                            : d.systemNanos() / 1e3 / delivered)
                    .result("server_write_calls_per_s", d.writeCalls() < 0 ? Double.NaN : d.writeCalls() / window)
                    .result("deliveries_per_write_call", d.writeCalls() <= 0 ? Double.NaN
                            : (double) delivered / d.writeCalls())
                    .result("server_rss_mb_end", p1.rssBytes() / 1048576.0)
                    .result("generator_cores_used", (g1 - g0) / (double) d.wallNanos())
                    .result("connections_dropped", end.dropped())
                    .result("pings_answered", end.pings());
            if (pub.firstError() != null) {
                report.note("publish errors: " + pub.failed() + ", first: " + pub.firstError());
            }
            if (delivered < pub.expectedDeliveries()) {
                report.note("not every delivery arrived within the drain limit: " + delivered + " of "
                        + pub.expectedDeliveries() + " (" + s.dropped() + " connections dropped)");
            }
            if ((g1 - g0) / (double) d.wallNanos() > 0.9) {
                report.note("the generator used more than 90% of a core: latency may include generator queueing");
            }
            report.latency("delivery (measured)", latency)
                    .latency("delivery (warm-up)", BenchRun.merge(reports, WorkerReport::warmupLatency))
                    .latency("HTTP publish round trip", pub.httpLatencyMicros())
                    .latency("connect (TCP start to connect reply)", BenchRun.merge(reports,
                            WorkerReport::connectLatency));
            run.recordFailures(end);
            return new Measurement(perSecond, cpuPerDelivery, latency);
        }
    }

    private static HttpPublisher.Run publishWithProgress(BenchRun run, HttpPublisher publisher,
                                                         HttpPublisher.Targets targets, double rate, long count,
                                                         boolean measured, String phase) {
        CompletableFuture<HttpPublisher.Run> f = CompletableFuture.supplyAsync(
                () -> publisher.run(rate, count, targets, measured, run.options().payload),
                r -> {
                    Thread t = new Thread(r, "publisher-" + phase);
                    t.setDaemon(true);
                    t.start();
                });
        long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos((long) (count / rate) + 180);
        while (System.nanoTime() < limit) {
            try {
                // Returns as soon as the run ends: the measured window must not wait out a progress interval.
                return f.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                run.progress(phase, run.status(), null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException e) {
                throw new IllegalStateException("publisher failed", e.getCause());
            }
        }
        return f.join();
    }

    private static WorkerStatus awaitDeliveries(BenchRun run, long expected, boolean measured, int limitSeconds,
                                                String phase) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(limitSeconds);
        long nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        WorkerStatus s = run.status();
        while (System.nanoTime() < deadline) {
            long got = measured ? s.measuredDeliveries() : s.warmupDeliveries();
            if (got >= expected) {
                break;
            }
            BenchRun.sleepMillis(10);
            s = run.status();
            if (System.nanoTime() > nextProgress) {
                run.progress(phase, s, null);
                nextProgress += TimeUnit.SECONDS.toNanos(1);
            }
        }
        return s;
    }
}
