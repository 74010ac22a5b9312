package dev.herald.engines.redis;

import java.time.Duration;

/**
 * Settings of a {@link RedisBroker}.
 *
 * @param idempotentResultTtl how long a publish's idempotency key is remembered (Centrifugo: 5 minutes)
 * @param workers             threads that deliver received messages, each channel always on the same one
 * @param workerQueueSize     messages waiting per worker; past it a channel's messages are dropped and the
 *                            channel is reported interrupted, so a slow node cannot fill the heap
 */
public record RedisBrokerOptions(Duration idempotentResultTtl, int workers, int workerQueueSize) {
    public RedisBrokerOptions {
        if (idempotentResultTtl == null || !idempotentResultTtl.isPositive()) {
            throw new IllegalArgumentException("idempotent result TTL must be positive");
        }
        if (workers < 1 || workerQueueSize < 1) {
            throw new IllegalArgumentException("at least one worker with room for one message");
        }
    }

    public static RedisBrokerOptions defaults() {
        return new RedisBrokerOptions(Duration.ofMinutes(5), 2, 16_384);
    }
}
