package dev.herald.engines.redis;

import io.lettuce.core.RedisURI;

/** Parses an {@code engine.redis.address} entry: a {@code redis://} URL or a bare {@code host:port}. */
public final class RedisAddress {
    private RedisAddress() {
    }

    public static RedisURI parse(String address) {
        String a = address.strip();
        if (a.isEmpty()) {
            throw new IllegalArgumentException("engine.redis.address: empty address");
        }
        if (a.startsWith("redis+sentinel://") || a.startsWith("redis+cluster://")) {
            throw new IllegalArgumentException("engine.redis.address: " + a
                    + ": Redis Sentinel and Redis Cluster are not supported yet; give plain redis:// addresses");
        }
        if (!a.contains("://")) {
            a = "redis://" + a;
        }
        try {
            return RedisURI.create(a);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("engine.redis.address: cannot parse " + address + ": "
                    + e.getMessage(), e);
        }
    }
}
