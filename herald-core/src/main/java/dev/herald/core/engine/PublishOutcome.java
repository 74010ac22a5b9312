package dev.herald.core.engine;

import dev.herald.protocol.StreamPosition;

/** The stream position a publication got, or null position when the channel keeps no history. */
public record PublishOutcome(StreamPosition position) {
    public static final PublishOutcome NONE = new PublishOutcome(null);
}
