package dev.herald.core.client;

import dev.herald.protocol.Request;

/** Command names as the protocol spells them, for metrics. */
final class CommandNames {
    private CommandNames() {
    }

    /** {@code connect}, {@code presence_stats}, ...; {@code pong} for the empty command. */
    static String of(Request request) {
        return switch (request) {
            case null -> "pong";
            case Request.Connect c -> "connect";
            case Request.Subscribe s -> "subscribe";
            case Request.Unsubscribe u -> "unsubscribe";
            case Request.Publish p -> "publish";
            case Request.Presence p -> "presence";
            case Request.PresenceStats p -> "presence_stats";
            case Request.History h -> "history";
            case Request.Ping p -> "ping";
            case Request.Send s -> "send";
            case Request.Rpc r -> "rpc";
            case Request.Refresh r -> "refresh";
            case Request.SubRefresh s -> "sub_refresh";
        };
    }
}
