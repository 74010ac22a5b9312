package dev.herald.engines.nats;

import dev.herald.core.channel.ChannelKey;
import dev.herald.core.engine.BrokerEventHandler;
import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.Publication;
import dev.herald.protocol.StreamPosition;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A node's broker handler for tests: records every event in order and lets the test await them with a bound. */
final class BrokerEvents implements BrokerEventHandler {
    /** One received event: kind "pub" (text = data), "join"/"leave" (text = user) or "interrupted". */
    record Event(String kind, ChannelKey channel, String text, StreamPosition position, ClientInfo info) {
    }

    private final List<Event> events = new ArrayList<>();

    @Override
    public void handlePublication(ChannelKey channel, Publication publication, StreamPosition position) {
        add(new Event("pub", channel, new String(publication.data(), StandardCharsets.UTF_8), position,
                publication.info()));
    }

    @Override
    public void handleJoin(ChannelKey channel, ClientInfo info) {
        add(new Event("join", channel, info.user(), null, info));
    }

    @Override
    public void handleLeave(ChannelKey channel, ClientInfo info) {
        add(new Event("leave", channel, info.user(), null, info));
    }

    @Override
    public void handleInterrupted(ChannelKey channel) {
        add(new Event("interrupted", channel, "", null, null));
    }

    private synchronized void add(Event event) {
        events.add(event);
        notifyAll();
    }

    /** The events of one channel and kind so far, in arrival order. */
    synchronized List<Event> of(ChannelKey channel, String kind) {
        return events.stream().filter(e -> e.channel().equals(channel) && e.kind().equals(kind)).toList();
    }

    /** Waits (at most {@code timeout}) until the channel has {@code count} events of the kind; returns them. */
    List<Event> await(ChannelKey channel, String kind, int count, Duration timeout) throws InterruptedException {
        return awaitMatching(channel, kind, list -> list.size() >= count, timeout);
    }

    /** Waits (at most {@code timeout}) until the channel's events of the kind satisfy {@code done}; returns them. */
    synchronized List<Event> awaitMatching(ChannelKey channel, String kind, Predicate<List<Event>> done,
                                           Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Event> matching = of(channel, kind);
            if (done.test(matching)) {
                return matching;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("timed out waiting for " + kind + " on " + channel + "; got " + matching);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    static List<String> texts(List<Event> events) {
        return new ArrayList<>(events.stream().map(Event::text).toList());
    }
}
