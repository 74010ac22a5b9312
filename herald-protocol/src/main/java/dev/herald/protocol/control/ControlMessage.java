package dev.herald.protocol.control;

import dev.herald.protocol.StreamPosition;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A message one node sends to the others over the controller: its heartbeat, a server API action to apply to
 * the sessions it holds, or a survey and its answers. Every message names its sender (a node id), so a node can
 * ignore its own broadcasts and answer a survey to the node that asked. Encoded by {@link ControlCodec}.
 *
 * <p>Strings are never null (absent = {@code ""}); {@code app} is the tenant that scopes users and channels.
 * Byte arrays are not copied: like the rest of Herald's payloads they are treated as immutable once built.
 * Records holding bytes compare them by content, so two decodings of the same bytes are equal.
 */
public sealed interface ControlMessage {

    /** The id of the node that sent this message. */
    String sender();

    /**
     * A node's heartbeat: who it is and what it holds (counts only, no metrics). {@code id} is the sender;
     * {@code uptimeSeconds} is since the node started.
     */
    record NodeInfo(String id, String name, String version, long clients, long users, long subscriptions,
                    long channels, long uptimeSeconds) implements ControlMessage {
        public NodeInfo {
            id = Values.text(id);
            name = Values.text(name);
            version = Values.text(version);
        }

        @Override
        public String sender() {
            return id;
        }
    }

    /**
     * Disconnect the user's sessions in {@code app} (all of them when {@code client} and {@code session} are empty),
     * except the client ids in {@code whitelist}, with {@code code} and {@code reason}.
     */
    record Disconnect(String sender, String app, String user, String client, String session, List<String> whitelist,
                      int code, String reason) implements ControlMessage {
        public Disconnect {
            sender = Values.text(sender);
            app = Values.text(app);
            user = Values.text(user);
            client = Values.text(client);
            session = Values.text(session);
            whitelist = whitelist == null ? List.of() : List.copyOf(whitelist);
            reason = Values.text(reason);
        }
    }

    /**
     * Subscribe the user's matching sessions to {@code channel} server-side, with the server API's subscribe
     * options: {@code info}/{@code data} raw JSON or null, {@code recoverSince} null when absent, {@code expireAt}
     * Unix seconds (0 = never), {@code override} null when nothing is overridden.
     */
    record Subscribe(String sender, String app, String user, String channel, String client, String session,
                     byte[] info, byte[] data, StreamPosition recoverSince, long expireAt, Override override)
            implements ControlMessage {
        public Subscribe {
            sender = Values.text(sender);
            app = Values.text(app);
            user = Values.text(user);
            channel = Values.text(channel);
            client = Values.text(client);
            session = Values.text(session);
        }

        @java.lang.Override
        public boolean equals(Object o) {
            return o instanceof Subscribe s && sender.equals(s.sender) && app.equals(s.app) && user.equals(s.user)
                    && channel.equals(s.channel) && client.equals(s.client) && session.equals(s.session)
                    && Arrays.equals(info, s.info) && Arrays.equals(data, s.data)
                    && Objects.equals(recoverSince, s.recoverSince) && expireAt == s.expireAt
                    && Objects.equals(override, s.override);
        }

        @java.lang.Override
        public int hashCode() {
            return Objects.hash(sender, app, user, channel, client, session, Arrays.hashCode(info),
                    Arrays.hashCode(data), recoverSince, expireAt, override);
        }

        /** Per-subscription overrides of namespace options; a null field means "not overridden". */
        public record Override(Boolean presence, Boolean joinLeave, Boolean forceRecovery, Boolean forcePositioning,
                               Boolean forcePushJoinLeave) {
        }
    }

    /** Unsubscribe the user's matching sessions from {@code channel}. */
    record Unsubscribe(String sender, String app, String user, String channel, String client, String session)
            implements ControlMessage {
        public Unsubscribe {
            sender = Values.text(sender);
            app = Values.text(app);
            user = Values.text(user);
            channel = Values.text(channel);
            client = Values.text(client);
            session = Values.text(session);
        }
    }

    /**
     * Refresh the user's matching sessions: {@code expired} disconnects them as expired, else {@code expireAt}
     * (Unix seconds, 0 = never) is their new expiry; {@code info} null keeps their connection info.
     */
    record Refresh(String sender, String app, String user, String client, String session, boolean expired,
                   long expireAt, byte[] info) implements ControlMessage {
        public Refresh {
            sender = Values.text(sender);
            app = Values.text(app);
            user = Values.text(user);
            client = Values.text(client);
            session = Values.text(session);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Refresh r && sender.equals(r.sender) && app.equals(r.app) && user.equals(r.user)
                    && client.equals(r.client) && session.equals(r.session) && expired == r.expired
                    && expireAt == r.expireAt && Arrays.equals(info, r.info);
        }

        @Override
        public int hashCode() {
            return Objects.hash(sender, app, user, client, session, expired, expireAt, Arrays.hashCode(info));
        }
    }

    /** Close every connection of {@code user} in {@code app}, whatever its protocol (Pusher's terminate_connections). */
    record TerminateConnections(String sender, String app, String user) implements ControlMessage {
        public TerminateConnections {
            sender = Values.text(sender);
            app = Values.text(app);
            user = Values.text(user);
        }
    }

    /**
     * A question to every node (or one): {@code id} is unique among the sender's pending surveys, {@code op} names
     * what is asked (e.g. {@code channels}), {@code payload} is the op's own encoding of its parameters.
     */
    record SurveyRequest(String sender, long id, String op, byte[] payload) implements ControlMessage {
        public SurveyRequest {
            sender = Values.text(sender);
            op = Values.text(op);
            payload = payload == null ? Values.NO_BYTES : payload;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SurveyRequest r && sender.equals(r.sender) && id == r.id && op.equals(r.op)
                    && Arrays.equals(payload, r.payload);
        }

        @Override
        public int hashCode() {
            return Objects.hash(sender, id, op, Arrays.hashCode(payload));
        }
    }

    /**
     * One node's answer to survey {@code id}: its {@code payload}, or an {@code error} (non-empty) when it could
     * not answer. Use {@link #answer} and {@link #failure} to build one.
     */
    record SurveyReply(String sender, long id, byte[] payload, String error) implements ControlMessage {
        public SurveyReply {
            sender = Values.text(sender);
            payload = payload == null ? Values.NO_BYTES : payload;
            error = Values.text(error);
        }

        public static SurveyReply answer(String sender, long id, byte[] payload) {
            return new SurveyReply(sender, id, payload, "");
        }

        /** An empty message still marks the reply as failed. */
        public static SurveyReply failure(String sender, long id, String error) {
            return new SurveyReply(sender, id, Values.NO_BYTES, error == null || error.isEmpty() ? "error" : error);
        }

        public boolean failed() {
            return !error.isEmpty();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SurveyReply r && sender.equals(r.sender) && id == r.id
                    && Arrays.equals(payload, r.payload) && error.equals(r.error);
        }

        @Override
        public int hashCode() {
            return Objects.hash(sender, id, Arrays.hashCode(payload), error);
        }
    }

    /**
     * A message this release cannot read: a type added by a later release, or an envelope version above
     * {@link ControlCodec#VERSION}. Decoding returns it instead of failing, so mixed releases keep talking;
     * receivers ignore it. It cannot be encoded.
     */
    record Unknown(String sender, int type, int version) implements ControlMessage {
        public Unknown {
            sender = Values.text(sender);
        }
    }
}
