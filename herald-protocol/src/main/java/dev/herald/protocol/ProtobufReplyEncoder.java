package dev.herald.protocol;

import java.util.List;
import java.util.Map;

/**
 * Writes replies and pushes as protobuf with the field numbers of centrifugal/protocol
 * {@code definitions/client.proto} (v0.19.x). Note that the {@code Connect} push message and
 * {@code ConnectResult} number their fields differently; both are written from {@link Result.Connect}.
 */
final class ProtobufReplyEncoder {
    // Reply
    private static final int REPLY_ID = 1;
    private static final int REPLY_ERROR = 2;
    private static final int REPLY_PUSH = 4;
    private static final int REPLY_CONNECT = 5;
    private static final int REPLY_SUBSCRIBE = 6;
    private static final int REPLY_UNSUBSCRIBE = 7;
    private static final int REPLY_PUBLISH = 8;
    private static final int REPLY_PRESENCE = 9;
    private static final int REPLY_PRESENCE_STATS = 10;
    private static final int REPLY_HISTORY = 11;
    private static final int REPLY_PING = 12;
    private static final int REPLY_RPC = 13;
    private static final int REPLY_REFRESH = 14;
    private static final int REPLY_SUB_REFRESH = 15;
    // Push
    private static final int PUSH_CHANNEL = 2;
    private static final int PUSH_PUB = 4;
    private static final int PUSH_JOIN = 5;
    private static final int PUSH_LEAVE = 6;
    private static final int PUSH_UNSUBSCRIBE = 7;
    private static final int PUSH_MESSAGE = 8;
    private static final int PUSH_SUBSCRIBE = 9;
    private static final int PUSH_CONNECT = 10;
    private static final int PUSH_DISCONNECT = 11;
    private static final int PUSH_REFRESH = 12;
    // Map entries
    private static final int MAP_KEY = 1;
    private static final int MAP_VALUE = 2;

    private ProtobufReplyEncoder() {
    }

    static byte[] reply(Reply reply) {
        return ProtoOut.encodeDelimited(out -> writeReply(out, reply));
    }

    static byte[] push(Push push, boolean wrapped) {
        if (wrapped) {
            return ProtoOut.encodeDelimited(out -> {
                out.begin(REPLY_PUSH);
                writePush(out, push);
                out.end();
            });
        }
        return ProtoOut.encodeDelimited(out -> writePush(out, push));
    }

    private static void writeReply(ProtoOut out, Reply reply) {
        out.uint32(REPLY_ID, (int) reply.id());
        ReplyError error = reply.error();
        if (error != null) {
            // Error: code = 1, message = 2, temporary = 3
            out.begin(REPLY_ERROR);
            out.uint32(1, error.code());
            out.string(2, error.message());
            out.bool(3, error.temporary());
            out.end();
        }
        if (reply.result() != null) {
            writeResult(out, reply.result());
        }
    }

    private static void writeResult(ProtoOut out, Result result) {
        switch (result) {
            case Result.Connect c -> {
                out.begin(REPLY_CONNECT);
                connectResult(out, c);
                out.end();
            }
            case Result.Subscribe s -> {
                out.begin(REPLY_SUBSCRIBE);
                subscribeResult(out, s);
                out.end();
            }
            case Result.Unsubscribe u -> out.empty(REPLY_UNSUBSCRIBE);
            case Result.Publish p -> out.empty(REPLY_PUBLISH);
            case Result.Presence p -> {
                // PresenceResult: presence = 1 (map<string, ClientInfo>)
                out.begin(REPLY_PRESENCE);
                if (p.presence() != null) {
                    for (Map.Entry<String, ClientInfo> e : p.presence().entrySet()) {
                        out.begin(1);
                        out.stringAlways(MAP_KEY, e.getKey());
                        out.begin(MAP_VALUE);
                        if (e.getValue() != null) {
                            clientInfo(out, e.getValue());
                        }
                        out.end();
                        out.end();
                    }
                }
                out.end();
            }
            case Result.PresenceStats s -> {
                // PresenceStatsResult: num_clients = 1, num_users = 2
                out.begin(REPLY_PRESENCE_STATS);
                out.uint32(1, s.numClients());
                out.uint32(2, s.numUsers());
                out.end();
            }
            case Result.History h -> {
                // HistoryResult: publications = 1, epoch = 2, offset = 3
                out.begin(REPLY_HISTORY);
                publications(out, 1, h.publications());
                out.string(2, h.epoch());
                out.uint64(3, h.offset());
                out.end();
            }
            case Result.Ping p -> out.empty(REPLY_PING);
            case Result.Rpc r -> {
                // RPCResult: data = 1
                out.begin(REPLY_RPC);
                out.bytes(1, r.data());
                out.end();
            }
            case Result.Refresh r -> {
                // RefreshResult: client = 1, version = 2, expires = 3, ttl = 4
                out.begin(REPLY_REFRESH);
                out.string(1, r.client());
                out.string(2, r.version());
                out.bool(3, r.expires());
                out.uint32(4, r.ttl());
                out.end();
            }
            case Result.SubRefresh r -> {
                // SubRefreshResult: expires = 1, ttl = 2
                out.begin(REPLY_SUB_REFRESH);
                out.bool(1, r.expires());
                out.uint32(2, r.ttl());
                out.end();
            }
        }
    }

    private static void writePush(ProtoOut out, Push push) {
        out.string(PUSH_CHANNEL, push.channel());
        switch (push.body()) {
            case Publication p -> {
                out.begin(PUSH_PUB);
                publication(out, p);
                out.end();
            }
            case PushBody.Join j -> joinOrLeave(out, PUSH_JOIN, j.info());
            case PushBody.Leave l -> joinOrLeave(out, PUSH_LEAVE, l.info());
            case PushBody.Unsubscribe u -> {
                // Unsubscribe: code = 2, reason = 3 (1 is reserved)
                out.begin(PUSH_UNSUBSCRIBE);
                out.uint32(2, u.code());
                out.string(3, u.reason());
                out.end();
            }
            case PushBody.Message m -> {
                // Message: data = 1
                out.begin(PUSH_MESSAGE);
                out.bytes(1, m.data());
                out.end();
            }
            case PushBody.Subscribe s -> {
                // Subscribe: recoverable = 1, epoch = 4, offset = 5, positioned = 6, data = 7
                out.begin(PUSH_SUBSCRIBE);
                out.bool(1, s.recoverable());
                out.string(4, s.epoch());
                out.uint64(5, s.offset());
                out.bool(6, s.positioned());
                out.bytes(7, s.data());
                out.end();
            }
            case Result.Connect c -> {
                out.begin(PUSH_CONNECT);
                connectPush(out, c);
                out.end();
            }
            case PushBody.Disconnect d -> {
                // Disconnect: code = 1, reason = 2, reconnect = 3
                out.begin(PUSH_DISCONNECT);
                out.uint32(1, d.code());
                out.string(2, d.reason());
                out.bool(3, d.reconnect());
                out.end();
            }
            case PushBody.Refresh r -> {
                // Refresh: expires = 1, ttl = 2
                out.begin(PUSH_REFRESH);
                out.bool(1, r.expires());
                out.uint32(2, r.ttl());
                out.end();
            }
        }
    }

    private static void joinOrLeave(ProtoOut out, int field, ClientInfo info) {
        // Join / Leave: info = 1
        out.begin(field);
        if (info != null) {
            out.begin(1);
            clientInfo(out, info);
            out.end();
        }
        out.end();
    }

    /**
     * ConnectResult: client = 1, version = 2, expires = 3, ttl = 4, data = 5, subs = 6, ping = 7, pong = 8,
     * session = 9, node = 10, time = 11.
     */
    private static void connectResult(ProtoOut out, Result.Connect c) {
        out.string(1, c.client());
        out.string(2, c.version());
        out.bool(3, c.expires());
        out.uint32(4, c.ttl());
        out.bytes(5, c.data());
        subs(out, 6, c.subs());
        connectTail(out, c);
    }

    /**
     * Connect push: client = 1, version = 2, data = 3, subs = 4, expires = 5, ttl = 6, ping = 7, pong = 8,
     * session = 9, node = 10, time = 11.
     */
    private static void connectPush(ProtoOut out, Result.Connect c) {
        out.string(1, c.client());
        out.string(2, c.version());
        out.bytes(3, c.data());
        subs(out, 4, c.subs());
        out.bool(5, c.expires());
        out.uint32(6, c.ttl());
        connectTail(out, c);
    }

    private static void connectTail(ProtoOut out, Result.Connect c) {
        out.uint32(7, c.ping());
        out.bool(8, c.pong());
        out.string(9, c.session());
        out.string(10, c.node());
        out.int64(11, c.time());
    }

    private static void subs(ProtoOut out, int field, Map<String, Result.Subscribe> subs) {
        if (subs == null) {
            return;
        }
        for (Map.Entry<String, Result.Subscribe> e : subs.entrySet()) {
            out.begin(field);
            out.stringAlways(MAP_KEY, e.getKey());
            out.begin(MAP_VALUE);
            if (e.getValue() != null) {
                subscribeResult(out, e.getValue());
            }
            out.end();
            out.end();
        }
    }

    /**
     * SubscribeResult: expires = 1, ttl = 2, recoverable = 3, epoch = 6, publications = 7, recovered = 8,
     * offset = 9, positioned = 10, data = 11, was_recovering = 12, delta = 13.
     */
    private static void subscribeResult(ProtoOut out, Result.Subscribe s) {
        out.bool(1, s.expires());
        out.uint32(2, s.ttl());
        out.bool(3, s.recoverable());
        out.string(6, s.epoch());
        publications(out, 7, s.publications());
        out.bool(8, s.recovered());
        out.uint64(9, s.offset());
        out.bool(10, s.positioned());
        out.bytes(11, s.data());
        out.bool(12, s.wasRecovering());
        out.bool(13, s.delta());
    }

    private static void publications(ProtoOut out, int field, List<Publication> publications) {
        if (publications == null) {
            return;
        }
        for (Publication p : publications) {
            out.begin(field);
            publication(out, p);
            out.end();
        }
    }

    /** Publication: data = 4, info = 5, offset = 6, tags = 7, delta = 8, time = 9, channel = 10. */
    private static void publication(ProtoOut out, Publication p) {
        out.bytes(4, p.data());
        if (p.info() != null) {
            out.begin(5);
            clientInfo(out, p.info());
            out.end();
        }
        out.uint64(6, p.offset());
        if (p.tags() != null) {
            for (Map.Entry<String, String> e : p.tags().entrySet()) {
                out.begin(7);
                out.stringAlways(MAP_KEY, e.getKey());
                out.stringAlways(MAP_VALUE, e.getValue());
                out.end();
            }
        }
        out.bool(8, p.delta());
        out.int64(9, p.time());
        out.string(10, p.channel());
    }

    /** ClientInfo: user = 1, client = 2, conn_info = 3, chan_info = 4. */
    private static void clientInfo(ProtoOut out, ClientInfo info) {
        out.string(1, info.user());
        out.string(2, info.client());
        out.bytes(3, info.connInfo());
        out.bytes(4, info.chanInfo());
    }
}
