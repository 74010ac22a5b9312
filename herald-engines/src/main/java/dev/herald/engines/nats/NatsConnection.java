package dev.herald.engines.nats;

import dev.herald.engines.EngineNames;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One node's connection to NATS, shared by its {@link NatsBroker} and {@link NatsController}: connects once at
 * start-up (blocking, bounded by the dial timeout; start-up fails when no server answers), then reconnects forever
 * by itself and resends its subscriptions.
 *
 * <p>While disconnected, publishes go to jnats's reconnect buffer, bounded by {@link Settings#reconnectBufferBytes}
 * and sent once the connection is back; past the bound a publish fails at once (0 refuses every publish while
 * disconnected). Core NATS is at-most-once, so what is buffered may still miss nodes that have not resubscribed yet.
 *
 * <p>{@link #roundTrip} confirms that the server has processed everything this connection sent before it (a
 * subscription, say) without blocking a thread: it publishes a probe to a subject only this connection listens to,
 * and NATS handles one connection's messages in order, so the probe coming back proves the earlier ones arrived.
 *
 * <p>Threading: connection events and probe completions are handed off from jnats's threads to one
 * {@code nats-events} thread (bounded queue; when full, jnats's thread runs the task itself rather than losing
 * it), so listeners and what depends on a probe never run on a jnats reader or dispatcher thread in normal
 * operation. They must not block.
 */
public final class NatsConnection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NatsConnection.class);
    private static final int MAX_PENDING_PROBES = 4096;
    /** jnats's outgoing queue holds this many messages; past it a publish fails after the push timeout. */
    private static final int OUTGOING_QUEUE = 65_536;

    /**
     * @param urls                 NATS server URLs ({@code broker.nats.url}, one or a comma-separated list)
     * @param prefix               subject prefix, Centrifugo's default "centrifugo"
     * @param dialTimeout          TCP connect timeout per attempt (Centrifugo's {@code dial_timeout}, 1 s)
     * @param reconnectWait        pause between reconnect attempts to the same server
     * @param reconnectBufferBytes what publishes may buffer while disconnected; 0 refuses them
     * @param roundTripTimeout     how long {@link #roundTrip} (a subscribe's confirmation) waits before it fails
     */
    public record Settings(List<String> urls, String prefix, Duration dialTimeout, Duration reconnectWait,
                           long reconnectBufferBytes, Duration roundTripTimeout, Duration writeTimeout) {
        public Settings {
            urls = List.copyOf(urls);
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("broker.nats.url: at least one URL is needed");
            }
            if (reconnectBufferBytes < 0) {
                throw new IllegalArgumentException("the reconnect buffer cannot be negative");
            }
        }

        /** Centrifugo's defaults for the given {@code broker.nats.url} value: prefix "centrifugo", 1 s timeouts. */
        public static Settings of(String url) {
            return new Settings(urls(url), "centrifugo", Duration.ofSeconds(1), Duration.ofSeconds(1),
                    1024 * 1024, Duration.ofSeconds(1), Duration.ofSeconds(1));
        }

        /** Splits a comma-separated URL list, dropping blanks. */
        public static List<String> urls(String value) {
            return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }

        public Settings withPrefix(String newPrefix) {
            return new Settings(urls, newPrefix, dialTimeout, reconnectWait, reconnectBufferBytes, roundTripTimeout,
                    writeTimeout);
        }
    }

    private final Settings settings;
    private final EngineNames names;
    private final List<Consumer<ConnectionListener.Events>> listeners = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<Long, CompletableFuture<Void>> probes = new ConcurrentHashMap<>();
    private final AtomicLong probeIds = new AtomicLong();
    private final AtomicBoolean repairing = new AtomicBoolean();
    private final ThreadPoolExecutor events;
    private final Connection connection;
    private final String probeSubject;

    private NatsConnection(Settings settings) throws IOException, InterruptedException {
        this.settings = settings;
        this.names = new EngineNames(settings.prefix());
        this.events = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1024),
                r -> Thread.ofPlatform().name("nats-events").daemon(true).unstarted(r),
                new ThreadPoolExecutor.CallerRunsPolicy());
        Options options = new Options.Builder()
                .servers(settings.urls().toArray(String[]::new))
                .connectionTimeout(settings.dialTimeout())
                // broker.nats.write_timeout: a socket write blocked this long counts as a broken connection.
                .socketWriteTimeout(settings.writeTimeout())
                .maxReconnects(-1)
                .reconnectWait(settings.reconnectWait())
                .reconnectBufferSize(settings.reconnectBufferBytes())
                .maxMessagesInOutgoingQueue(OUTGOING_QUEUE)
                // A publish that finds the queue full fails after this instead of waiting for room for long.
                .writeQueuePushTimeout(Duration.ofMillis(10))
                .connectionListener(this::onEvent)
                .errorListener(new Errors())
                .build();
        try {
            this.connection = Nats.connect(options);
        } catch (IOException | InterruptedException | RuntimeException e) {
            events.shutdownNow();
            throw e;
        }
        this.probeSubject = connection.createInbox();
        Dispatcher probeDispatcher = connection.createDispatcher(this::onProbe);
        probeDispatcher.subscribe(probeSubject);
    }

    /**
     * Connects (blocking: start-up only).
     *
     * @throws IOException when no server of the list can be reached within the dial timeout
     */
    public static NatsConnection connect(Settings settings) throws IOException, InterruptedException {
        return new NatsConnection(settings);
    }

    /** The subjects of this connection's prefix. */
    public EngineNames names() {
        return names;
    }

    public Settings settings() {
        return settings;
    }

    /** The jnats connection, for the broker and controller of this package. */
    Connection connection() {
        return connection;
    }

    /** Whether NATS is reachable right now, for {@code /health}. */
    public boolean healthy() {
        return connection.getStatus() == Connection.Status.CONNECTED;
    }

    /**
     * Adds a listener of connection events (DISCONNECTED, RECONNECTED, RESUBSCRIBED, ...), called on the
     * {@code nats-events} thread; it must not block.
     */
    public void addListener(Consumer<ConnectionListener.Events> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<ConnectionListener.Events> listener) {
        listeners.remove(listener);
    }

    /**
     * Publishes: the message is queued for the writer (or, while disconnected, in the bounded reconnect buffer).
     * Does not block, unless the outgoing queue is full, when it waits at most the 10 ms push timeout.
     *
     * @throws IllegalStateException when the queue or the reconnect buffer is full, or the connection is closed
     */
    void publish(String subject, byte[] message) {
        // Not Connection.outgoingPendingMessageCount() first: it takes a lock jnats holds through a whole
        // reconnect loop. jnats bounds the queue itself and fails after the push timeout.
        connection.publish(subject, message);
    }

    /**
     * Completes when the server has processed everything sent on this connection before it, or fails after the
     * round-trip timeout (e.g. while disconnected). Completes on the {@code nats-events} thread.
     */
    public CompletionStage<Void> roundTrip() {
        if (probes.size() >= MAX_PENDING_PROBES) {
            return CompletableFuture.failedFuture(new IllegalStateException("too many NATS round trips pending"));
        }
        long id = probeIds.incrementAndGet();
        CompletableFuture<Void> probe = new CompletableFuture<>();
        probes.put(id, probe);
        probe.orTimeout(settings.roundTripTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((r, e) -> {
                    probes.remove(id);
                    if (e instanceof TimeoutException && healthy()) {
                        repair();
                    }
                });
        try {
            publish(probeSubject, Long.toString(id).getBytes(StandardCharsets.US_ASCII));
        } catch (RuntimeException e) {
            probe.completeExceptionally(e);
        }
        return probe;
    }

    /**
     * A round trip timed out although the connection says it is connected: jnats 2.25's writer can stay stuck in
     * its reconnect mode after a reconnect race (nats.java issue 1522), sending nothing more until the server drops
     * the connection as stale minutes later. Force a reconnect now, once at a time, on a thread of its own because
     * it blocks.
     */
    private void repair() {
        if (!repairing.compareAndSet(false, true)) {
            return;
        }
        log.warn("a NATS round trip timed out while connected; forcing a reconnect");
        Thread.ofPlatform().name("nats-repair").daemon(true).start(() -> {
            try {
                connection.forceReconnect();
            } catch (IOException | RuntimeException e) {
                log.warn("forced NATS reconnect failed", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                repairing.set(false);
            }
        });
    }

    /** Hands a task to the {@code nats-events} thread (or runs it here when that thread is far behind). */
    void handOff(Runnable task) {
        events.execute(task);
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            events.shutdown();
            probes.values().forEach(p -> p.completeExceptionally(new IllegalStateException("NATS connection closed")));
        }
    }

    private void onProbe(Message message) {
        long id;
        try {
            id = Long.parseLong(new String(message.getData(), StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return;
        }
        CompletableFuture<Void> probe = probes.remove(id);
        if (probe != null) {
            handOff(() -> probe.complete(null));
        }
    }

    private void onEvent(Connection ignored, ConnectionListener.Events event) {
        log.info("NATS connection {}", event);
        if (events.isShutdown()) {
            return;
        }
        handOff(() -> {
            for (Consumer<ConnectionListener.Events> listener : listeners) {
                try {
                    listener.accept(event);
                } catch (RuntimeException e) {
                    log.warn("NATS connection listener failed on {}", event, e);
                }
            }
        });
    }

    /**
     * jnats's errors through our logger. A failed attempt while reconnecting is routine (one a second while NATS
     * is down; the DISCONNECTED event was logged already), so it is a debug line, not jnats's default SEVERE.
     */
    private static final class Errors implements ErrorListener {
        @Override
        public void errorOccurred(Connection conn, String error) {
            log.warn("NATS error: {}", error);
        }

        @Override
        public void exceptionOccurred(Connection conn, Exception exception) {
            if (conn.getStatus() == Connection.Status.CONNECTED) {
                log.warn("NATS connection problem", exception);
            } else {
                log.debug("NATS still unreachable: {}", exception.toString());
            }
        }

        @Override
        public void slowConsumerDetected(Connection conn, io.nats.client.Consumer consumer) {
            log.warn("NATS dropped messages for a slow consumer ({} so far)", consumer.getDroppedCount());
        }
    }
}
