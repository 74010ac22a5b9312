package dev.herald.bench.run;

import dev.herald.bench.load.Payloads;
import org.HdrHistogram.Histogram;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Publishes through the server's HTTP API ({@code POST /api/publish}, {@code X-API-Key}) at a steady rate: a paced
 * loop (publication {@code i} is sent at {@code start + i/rate}, never earlier; late ones go at once) over
 * keep-alive HTTP/1.1 connections, at most {@code maxInFlight} requests outstanding.
 */
public final class HttpPublisher implements AutoCloseable {
    /** Where one publication goes and how many subscribers should receive it. */
    public record Target(String channel, int receivers) {
    }

    @FunctionalInterface
    public interface Targets {
        Target forSeq(long seq);
    }

    /** Outcome of one paced run. */
    public record Run(long attempted, long ok, long failed, long expectedDeliveries, double seconds,
                      Histogram httpLatencyMicros, String firstError) {
    }

    private final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "publisher-http");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).executor(executor).build();
    private final URI uri;
    private final String apiKey;
    private final int maxInFlight;
    private long seq;

    public HttpPublisher(String host, int port, String apiKey, int maxInFlight) {
        this.uri = URI.create("http://" + host + ":" + port + "/api/publish");
        this.apiKey = apiKey;
        this.maxInFlight = maxInFlight;
    }

    /** One publication, waited for; for probing whether the API is there. Returns null on success, else the error. */
    public String probe(String channel) {
        try {
            HttpResponse<String> r = client.send(request(channel, Payloads.payload(0, false, -1, 16)),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && !r.body().contains("\"error\"") ? null
                    : "HTTP " + r.statusCode() + " " + r.body().trim();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private HttpRequest request(String channel, byte[] data) {
        byte[] prefix = ("{\"channel\":\"" + channel + "\",\"data\":").getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[prefix.length + data.length + 1];
        System.arraycopy(prefix, 0, body, 0, prefix.length);
        System.arraycopy(data, 0, body, prefix.length, data.length);
        body[body.length - 1] = '}';
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("X-API-Key", apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    /**
     * Sends {@code count} publications at {@code rate} per second and waits (bounded) for their answers.
     *
     * @param measured marks the payloads so receivers count them as measured, not warm-up
     */
    public Run run(double rate, long count, Targets targets, boolean measured, int payloadBytes) {
        Semaphore permits = new Semaphore(maxInFlight);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong expected = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        Histogram latency = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
        long periodNanos = (long) (1e9 / rate);
        long start = System.nanoTime();
        long hardStop = start + periodNanos * count + TimeUnit.SECONDS.toNanos(60);
        long attempted = 0;
        for (long i = 0; i < count && System.nanoTime() < hardStop; i++) {
            long due = start + i * periodNanos;
            for (long wait; (wait = due - System.nanoTime()) > 0; ) {
                LockSupport.parkNanos(wait);
            }
            try {
                if (!permits.tryAcquire(10, TimeUnit.SECONDS)) {
                    failed.incrementAndGet();
                    firstError.compareAndSet(null, "no answer from the API for 10 s");
                    continue;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            attempted++;
            Target target = targets.forSeq(seq);
            byte[] data = Payloads.payload(Payloads.nowMicros(), measured, seq++, payloadBytes);
            long sent = System.nanoTime();
            CompletableFuture<HttpResponse<String>> f = client.sendAsync(request(target.channel(), data),
                    HttpResponse.BodyHandlers.ofString());
            f.whenComplete((r, error) -> {
                long micros = (System.nanoTime() - sent) / 1000;
                synchronized (latency) {
                    latency.recordValue(Math.min(micros, latency.getHighestTrackableValue()));
                }
                if (error == null && r.statusCode() == 200 && !r.body().contains("\"error\"")) {
                    ok.incrementAndGet();
                    expected.addAndGet(target.receivers());
                } else {
                    failed.incrementAndGet();
                    firstError.compareAndSet(null, error != null ? error.toString()
                            : "HTTP " + r.statusCode() + " " + r.body().trim());
                }
                // Last: once every permit is back, every answer has been counted.
                permits.release();
            });
        }
        try {
            if (!permits.tryAcquire(maxInFlight, 60, TimeUnit.SECONDS)) {
                firstError.compareAndSet(null, "API answers still missing after 60 s");
            } else {
                permits.release(maxInFlight);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        synchronized (latency) {
            return new Run(attempted, ok.get(), failed.get(), expected.get(), seconds, latency.copy(),
                    firstError.get());
        }
    }

    @Override
    public void close() {
        client.close();
        executor.shutdownNow();
    }
}
