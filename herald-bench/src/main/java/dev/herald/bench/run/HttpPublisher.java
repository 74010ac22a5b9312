package dev.herald.bench.run;

import dev.herald.bench.load.Payloads;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Publishes through the server's HTTP API ({@code POST /api/publish}, {@code X-API-Key}) at a steady rate: a paced
 * loop (publication {@code i} is sent at {@code start + i/rate}, never earlier; late ones go at once) hands each
 * request to one of a few sender threads, each with its own keep-alive {@link PlainHttpClient}, so at most that many
 * requests are outstanding. A request costs its sender a write and a read: the generator shares one core with the
 * connections it measures, and java.net.http's selector thread, executor hand-offs and futures took about a tenth
 * of that core at 100 requests a second.
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

    private static final String PATH = "/api/publish";
    private static final int MAX_SENDERS = 32;

    private final String host;
    private final int port;
    private final String apiKey;
    private final int senders;
    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private long seq;

    /** One publication on its way, and the run that counts its outcome. */
    private record Request(byte[] body, Target target, RunState run) {
    }

    /** The counters of one {@link #run}; updated by the senders. */
    private static final class RunState {
        final Semaphore permits;
        final AtomicLong ok = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong expected = new AtomicLong();
        final AtomicReference<String> firstError = new AtomicReference<>();
        final Histogram latency = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);

        RunState(int permits) {
            this.permits = new Semaphore(permits);
        }
    }

    /** @param maxInFlight requests outstanding at most (and sender threads, up to 32) */
    public HttpPublisher(String host, int port, String apiKey, int maxInFlight) {
        this.host = host;
        this.port = port;
        this.apiKey = apiKey;
        this.senders = Math.max(1, Math.min(maxInFlight, MAX_SENDERS));
        for (int i = 0; i < senders; i++) {
            Thread t = new Thread(this::send, "publisher-http-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** One publication, waited for; for probing whether the API is there. Returns null on success, else the error. */
    public String probe(String channel) {
        try (PlainHttpClient client = new PlainHttpClient(host, port)) {
            PlainHttpClient.Response r = client.post(PATH, apiKey, body(channel, Payloads.payload(0, false, -1, 16)));
            return accepted(r) ? null : "HTTP " + r.status() + " " + r.text().trim();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static byte[] body(String channel, byte[] data) {
        byte[] prefix = ("{\"channel\":\"" + channel + "\",\"data\":").getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[prefix.length + data.length + 1];
        System.arraycopy(prefix, 0, body, 0, prefix.length);
        System.arraycopy(data, 0, body, prefix.length, data.length);
        body[body.length - 1] = '}';
        return body;
    }

    private static boolean accepted(PlainHttpClient.Response r) {
        return r.status() == 200 && !r.text().contains("\"error\"");
    }

    /** A sender thread: takes requests until the publisher is closed (interrupted). */
    private void send() {
        try (PlainHttpClient client = new PlainHttpClient(host, port)) {
            while (!Thread.currentThread().isInterrupted()) {
                Request request;
                try {
                    request = requests.take();
                } catch (InterruptedException e) {
                    return;
                }
                exchange(client, request);
            }
        }
    }

    private void exchange(PlainHttpClient client, Request request) {
        RunState run = request.run();
        long sent = System.nanoTime();
        try {
            PlainHttpClient.Response r = client.post(PATH, apiKey, request.body());
            if (accepted(r)) {
                run.ok.incrementAndGet();
                run.expected.addAndGet(request.target().receivers());
            } else {
                run.failed.incrementAndGet();
                run.firstError.compareAndSet(null, "HTTP " + r.status() + " " + r.text().trim());
            }
        } catch (IOException | RuntimeException e) {
            client.close();
            run.failed.incrementAndGet();
            run.firstError.compareAndSet(null, e.toString());
        } finally {
            long micros = (System.nanoTime() - sent) / 1000;
            synchronized (run.latency) {
                run.latency.recordValue(Math.min(micros, run.latency.getHighestTrackableValue()));
            }
            // Last: once every permit is back, every answer has been counted.
            run.permits.release();
        }
    }

    /**
     * Sends {@code count} publications at {@code rate} per second and waits (bounded) for their answers.
     *
     * @param measured marks the payloads so receivers count them as measured, not warm-up
     */
    public Run run(double rate, long count, Targets targets, boolean measured, int payloadBytes) {
        RunState run = new RunState(senders);
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
                if (!run.permits.tryAcquire(10, TimeUnit.SECONDS)) {
                    run.failed.incrementAndGet();
                    run.firstError.compareAndSet(null, "no answer from the API for 10 s");
                    continue;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            attempted++;
            Target target = targets.forSeq(seq);
            byte[] data = Payloads.payload(Payloads.nowMicros(), measured, seq++, payloadBytes);
            requests.add(new Request(body(target.channel(), data), target, run));
        }
        try {
            if (!run.permits.tryAcquire(senders, 60, TimeUnit.SECONDS)) {
                run.firstError.compareAndSet(null, "API answers still missing after 60 s");
            } else {
                run.permits.release(senders);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        synchronized (run.latency) {
            return new Run(attempted, run.ok.get(), run.failed.get(), run.expected.get(), seconds,
                    run.latency.copy(), run.firstError.get());
        }
    }

    @Override
    public void close() {
        threads.forEach(Thread::interrupt);
    }
}
