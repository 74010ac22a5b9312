package dev.herald.core.engine;

import dev.herald.core.channel.ChannelKey;
import dev.herald.core.time.Scheduler;
import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.Publication;
import dev.herald.protocol.StreamPosition;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A single-node broker: publications go straight back to this node; history streams live in memory, bounded by
 * each channel's history size and TTL. A stream's position (offset, epoch) outlives its publications until the
 * history meta TTL, as in Centrifugo, so clients can still tell "nothing missed" from "stream lost".
 *
 * <p>A publish with an idempotency key that this broker saw for the same channel within {@link #IDEMPOTENCY_TTL}
 * returns the first publish's outcome and publishes nothing. The results are kept in a cache of at most
 * {@link #IDEMPOTENCY_CAPACITY} entries (the oldest go first when it is full), emptied of expired ones by the sweep.
 */
public final class MemoryBroker implements Broker {
    private static final char[] EPOCH_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    /** How long an idempotency key's result is remembered (Centrifugo's default idempotent result TTL). */
    public static final Duration IDEMPOTENCY_TTL = Duration.ofMinutes(5);
    /** The most idempotency results held at once, so a flood of distinct keys cannot exhaust the heap. */
    public static final int IDEMPOTENCY_CAPACITY = 100_000;

    private final ConcurrentHashMap<ChannelKey, Stream> streams = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    /**
     * Idempotency results by (channel, key), in insertion order; as every entry lives the same TTL that is also
     * expiry order, so the sweep and the capacity bound both drop from the head. Guarded by its own monitor, which
     * is taken inside a stream's monitor and never the other way round.
     */
    private final LinkedHashMap<IdempotencyKey, Remembered> results = new LinkedHashMap<>();
    private final LongSupplier clockMillis;
    private final Scheduler scheduler;
    private volatile BrokerEventHandler handler;
    private volatile boolean closed;

    public MemoryBroker(Scheduler scheduler, LongSupplier clockMillis) {
        this.scheduler = scheduler;
        this.clockMillis = clockMillis;
    }

    @Override
    public void start(BrokerEventHandler handler) {
        this.handler = handler;
        scheduleSweep();
    }

    @Override
    public CompletionStage<PublishOutcome> publish(ChannelKey channel, Publication publication, PublishOptions options) {
        long now = clockMillis.getAsLong();
        IdempotencyKey idempotencyKey = options.idempotencyKey() == null || options.idempotencyKey().isEmpty()
                ? null : new IdempotencyKey(channel, options.idempotencyKey());
        if (!options.withHistory()) {
            if (idempotencyKey != null) {
                PublishOutcome first = remember(idempotencyKey, PublishOutcome.NONE, now);
                if (first != null) {
                    return CompletableFuture.completedFuture(first);
                }
            }
            handler.handlePublication(channel, publication, null);
            return CompletableFuture.completedFuture(PublishOutcome.NONE);
        }
        while (true) {
            Stream stream = streams.computeIfAbsent(channel, k -> new Stream(newEpoch()));
            // The stream lock orders offset assignment and delivery, so subscribers see offsets in order.
            synchronized (stream) {
                if (stream.removed) {
                    continue;
                }
                if (idempotencyKey != null) {
                    // Checked and recorded under the stream lock: two publishes with one key cannot both append.
                    PublishOutcome first = remember(idempotencyKey,
                            new PublishOutcome(new StreamPosition(stream.top + 1, stream.epoch)), now);
                    if (first != null) {
                        return CompletableFuture.completedFuture(first);
                    }
                }
                stream.dropExpired(now);
                long offset = ++stream.top;
                Publication stored = publication.withOffset(offset);
                stream.items.addLast(new Item(stored, now + options.historyTtl().toMillis()));
                while (stream.items.size() > options.historySize()) {
                    stream.items.removeFirst();
                }
                stream.touchMeta(now, options.historyMetaTtl().toMillis());
                StreamPosition position = new StreamPosition(offset, stream.epoch);
                handler.handlePublication(channel, stored, position);
                return CompletableFuture.completedFuture(new PublishOutcome(position));
            }
        }
    }

    @Override
    public CompletionStage<Void> publishJoin(ChannelKey channel, ClientInfo info) {
        handler.handleJoin(channel, info);
        return DONE;
    }

    @Override
    public CompletionStage<Void> publishLeave(ChannelKey channel, ClientInfo info) {
        handler.handleLeave(channel, info);
        return DONE;
    }

    @Override
    public CompletionStage<Void> subscribe(ChannelKey channel) {
        return DONE;
    }

    @Override
    public CompletionStage<Void> unsubscribe(ChannelKey channel) {
        return DONE;
    }

    @Override
    public CompletionStage<HistoryPage> history(ChannelKey channel, HistoryQuery query) {
        long now = clockMillis.getAsLong();
        while (true) {
            Stream stream = streams.computeIfAbsent(channel, k -> new Stream(newEpoch()));
            synchronized (stream) {
                if (stream.removed) {
                    continue;
                }
                stream.dropExpired(now);
                if (query.metaTtl() != null) {
                    stream.touchMeta(now, query.metaTtl().toMillis());
                }
                return CompletableFuture.completedFuture(
                        new HistoryPage(stream.read(query), new StreamPosition(stream.top, stream.epoch)));
            }
        }
    }

    @Override
    public CompletionStage<Void> removeHistory(ChannelKey channel) {
        Stream stream = streams.get(channel);
        if (stream != null) {
            synchronized (stream) {
                stream.items.clear();
            }
        }
        return DONE;
    }

    /** Number of streams held, publications or position; for tests and the info API. */
    public int streamCount() {
        return streams.size();
    }

    /**
     * Records {@code outcome} for the key unless a live result is already there; returns that earlier result, or
     * null when this publish is the first and must go ahead.
     */
    private PublishOutcome remember(IdempotencyKey key, PublishOutcome outcome, long now) {
        synchronized (results) {
            Remembered earlier = results.get(key);
            if (earlier != null && earlier.expireAt() > now) {
                return earlier.outcome();
            }
            // Re-inserting moves an expired key to the tail, keeping insertion order equal to expiry order.
            results.remove(key);
            results.put(key, new Remembered(outcome, now + IDEMPOTENCY_TTL.toMillis()));
            if (results.size() > IDEMPOTENCY_CAPACITY) {
                results.pollFirstEntry();
            }
            return null;
        }
    }

    /** Number of idempotency results held; for tests. */
    public int idempotencyResultCount() {
        synchronized (results) {
            return results.size();
        }
    }

    /** Drops expired publications everywhere and removes streams whose position has expired too. */
    public void sweep() {
        long now = clockMillis.getAsLong();
        synchronized (results) {
            Iterator<Map.Entry<IdempotencyKey, Remembered>> it = results.entrySet().iterator();
            while (it.hasNext() && it.next().getValue().expireAt() <= now) {
                it.remove();
            }
        }
        for (ChannelKey channel : streams.keySet()) {
            streams.computeIfPresent(channel, (k, stream) -> {
                synchronized (stream) {
                    stream.dropExpired(now);
                    if (stream.items.isEmpty() && stream.metaExpireAt <= now) {
                        stream.removed = true;
                        return null;
                    }
                    return stream;
                }
            });
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    private void scheduleSweep() {
        if (closed) {
            return;
        }
        scheduler.schedule(() -> {
            sweep();
            scheduleSweep();
        }, 1, TimeUnit.SECONDS);
    }

    private String newEpoch() {
        char[] chars = new char[4];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = EPOCH_CHARS[random.nextInt(EPOCH_CHARS.length)];
        }
        return new String(chars);
    }

    private record Item(Publication publication, long expireAt) {
    }

    private record IdempotencyKey(ChannelKey channel, String key) {
    }

    private record Remembered(PublishOutcome outcome, long expireAt) {
    }

    /** One channel's stream; guarded by its own monitor. */
    private static final class Stream {
        final String epoch;
        final ArrayDeque<Item> items = new ArrayDeque<>();
        long top;
        long metaExpireAt;
        boolean removed;

        Stream(String epoch) {
            this.epoch = epoch;
        }

        void dropExpired(long now) {
            while (!items.isEmpty() && items.peekFirst().expireAt() <= now) {
                items.removeFirst();
            }
        }

        void touchMeta(long now, long ttlMillis) {
            metaExpireAt = Math.max(metaExpireAt, now + ttlMillis);
        }

        List<Publication> read(HistoryQuery query) {
            int limit = query.limit();
            if (limit == 0 || items.isEmpty()) {
                return List.of();
            }
            long since = query.since() == null ? -1 : query.since().offset();
            List<Publication> out = new ArrayList<>();
            Iterator<Item> it = query.reverse() ? items.descendingIterator() : items.iterator();
            while (it.hasNext() && (limit < 0 || out.size() < limit)) {
                Publication p = it.next().publication();
                if (since >= 0) {
                    if (!query.reverse() && p.offset() <= since) {
                        continue;
                    }
                    if (query.reverse() && p.offset() >= since) {
                        continue;
                    }
                }
                out.add(p);
            }
            return out;
        }
    }
}
