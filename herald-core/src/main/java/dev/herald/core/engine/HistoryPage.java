package dev.herald.core.engine;

import dev.herald.protocol.Publication;
import dev.herald.protocol.StreamPosition;

import java.util.List;

/** Publications read from a stream (with their offsets set) and the stream's current top position. */
public record HistoryPage(List<Publication> publications, StreamPosition top) {
}
