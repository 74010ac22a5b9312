package dev.herald.core.engine;

import dev.herald.core.channel.ChannelKey;
import dev.herald.core.time.Scheduler;
import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.Publication;
import dev.herald.protocol.StreamPosition;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A single-node broker: publications go straight back to this node; history streams live in memory, bounded by
 * each channel's history size and TTL. A stream's position (offset, epoch) outlives its publications until the
 * history meta TTL, as in Centrifugo, so clients can still tell "nothing missed" from "stream lost".
 */
public final class MemoryBroker implements Broker {
    private static final char[] EPOCH_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final ConcurrentHashMap<ChannelKey, Stream> streams = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
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
        if (!options.withHistory()) {
            handler.handlePublication(channel, publication, null);
            return CompletableFuture.completedFuture(PublishOutcome.NONE);
        }
        long now = clockMillis.getAsLong();
        while (true) {
            Stream stream = streams.computeIfAbsent(channel, k -> new Stream(newEpoch()));
            // The stream lock orders offset assignment and delivery, so subscribers see offsets in order.
            synchronized (stream) {
                if (stream.removed) {
                    continue;
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

    /** Drops expired publications everywhere and removes streams whose position has expired too. */
    public void sweep() {
        long now = clockMillis.getAsLong();
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
