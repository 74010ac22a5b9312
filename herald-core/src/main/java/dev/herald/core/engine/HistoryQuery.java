package dev.herald.core.engine;

import dev.herald.protocol.StreamPosition;

import java.time.Duration;

/**
 * A read of a channel's stream. {@code since} null = from the start (or the end when reversed); {@code limit} 0 =
 * position only, negative = no limit. {@code metaTtl} keeps the stream's position alive when reading.
 */
public record HistoryQuery(StreamPosition since, int limit, boolean reverse, Duration metaTtl) {
}
