package dev.herald.protocol;

/** A position in a channel's history stream. */
public record StreamPosition(long offset, String epoch) {
}
