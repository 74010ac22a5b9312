package dev.herald.engines.nats;

import dev.herald.core.channel.ChannelKey;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The idempotency keys this node published with recently, per channel: a publish whose key is here within the
 * window is not sent again. Bounded (the oldest key goes first) and local to the node: NATS keeps nothing, so a
 * retry that lands on another node publishes again. Two concurrent publishes with the same new key may both go
 * out: the key is remembered once a publish was handed to NATS, so that a failed one can be retried.
 */
final class IdempotencyCache {
    private record Key(ChannelKey channel, String key) {
    }

    private final int capacity;
    private final long windowNanos;
    private final LongSupplier nanos;
    /** Key to expiry (nanos), oldest first; guarded by this. */
    private final LinkedHashMap<Key, Long> keys = new LinkedHashMap<>();

    IdempotencyCache(int capacity, long windowNanos, LongSupplier nanos) {
        this.capacity = capacity;
        this.windowNanos = windowNanos;
        this.nanos = nanos;
    }

    /** Whether a publish with this key went out within the window. */
    synchronized boolean seen(ChannelKey channel, String key) {
        Long expiry = keys.get(new Key(channel, key));
        return expiry != null && expiry - nanos.getAsLong() > 0;
    }

    synchronized void remember(ChannelKey channel, String key) {
        long now = nanos.getAsLong();
        Key k = new Key(channel, key);
        keys.remove(k); // re-inserted last, so the order stays oldest first
        keys.put(k, now + windowNanos);
        var it = keys.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Long> oldest = it.next();
            if (keys.size() > capacity || oldest.getValue() - now <= 0) {
                it.remove();
            } else {
                break;
            }
        }
    }

    synchronized int size() {
        return keys.size();
    }
}
