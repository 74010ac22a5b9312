package dev.herald.protocol;

import java.util.List;
import java.util.Map;

/**
 * Writes replies and pushes as Centrifugo's JSON: fields in proto field order, zero values omitted except the
 * ones Centrifugo always writes (ClientInfo {@code user}/{@code client}, presence, presence stats counts, history
 * {@code publications}/{@code epoch}/{@code offset}), {@code bytes} fields embedded as raw JSON.
 */
final class JsonReplyEncoder {
    private static final byte[] ID = JsonOut.name("id");
    private static final byte[] ERROR = JsonOut.name("error");
    private static final byte[] PUSH = JsonOut.name("push");
    private static final byte[] CODE = JsonOut.name("code");
    private static final byte[] MESSAGE = JsonOut.name("message");
    private static final byte[] TEMPORARY = JsonOut.name("temporary");
    private static final byte[] CONNECT = JsonOut.name("connect");
    private static final byte[] SUBSCRIBE = JsonOut.name("subscribe");
    private static final byte[] UNSUBSCRIBE = JsonOut.name("unsubscribe");
    private static final byte[] PUBLISH = JsonOut.name("publish");
    private static final byte[] PRESENCE = JsonOut.name("presence");
    private static final byte[] PRESENCE_STATS = JsonOut.name("presence_stats");
    private static final byte[] HISTORY = JsonOut.name("history");
    private static final byte[] PING = JsonOut.name("ping");
    private static final byte[] RPC = JsonOut.name("rpc");
    private static final byte[] REFRESH = JsonOut.name("refresh");
    private static final byte[] SUB_REFRESH = JsonOut.name("sub_refresh");
    private static final byte[] CHANNEL = JsonOut.name("channel");
    private static final byte[] PUB = JsonOut.name("pub");
    private static final byte[] JOIN = JsonOut.name("join");
    private static final byte[] LEAVE = JsonOut.name("leave");
    private static final byte[] DISCONNECT = JsonOut.name("disconnect");
    private static final byte[] CLIENT = JsonOut.name("client");
    private static final byte[] VERSION = JsonOut.name("version");
    private static final byte[] EXPIRES = JsonOut.name("expires");
    private static final byte[] TTL = JsonOut.name("ttl");
    private static final byte[] DATA = JsonOut.name("data");
    private static final byte[] SUBS = JsonOut.name("subs");
    private static final byte[] PONG = JsonOut.name("pong");
    private static final byte[] SESSION = JsonOut.name("session");
    private static final byte[] NODE = JsonOut.name("node");
    private static final byte[] TIME = JsonOut.name("time");
    private static final byte[] RECOVERABLE = JsonOut.name("recoverable");
    private static final byte[] EPOCH = JsonOut.name("epoch");
    private static final byte[] PUBLICATIONS = JsonOut.name("publications");
    private static final byte[] RECOVERED = JsonOut.name("recovered");
    private static final byte[] OFFSET = JsonOut.name("offset");
    private static final byte[] POSITIONED = JsonOut.name("positioned");
    private static final byte[] WAS_RECOVERING = JsonOut.name("was_recovering");
    private static final byte[] DELTA = JsonOut.name("delta");
    private static final byte[] NUM_CLIENTS = JsonOut.name("num_clients");
    private static final byte[] NUM_USERS = JsonOut.name("num_users");
    private static final byte[] INFO = JsonOut.name("info");
    private static final byte[] TAGS = JsonOut.name("tags");
    private static final byte[] USER = JsonOut.name("user");
    private static final byte[] CONN_INFO = JsonOut.name("conn_info");
    private static final byte[] CHAN_INFO = JsonOut.name("chan_info");
    private static final byte[] REASON = JsonOut.name("reason");
    private static final byte[] RECONNECT = JsonOut.name("reconnect");

    private JsonReplyEncoder() {
    }

    static byte[] reply(Reply reply) {
        JsonOut out = new JsonOut(64);
        out.beginObject();
        if (reply.id() != 0) {
            out.field(ID).unsigned(reply.id());
        }
        if (reply.error() != null) {
            error(out.field(ERROR), reply.error());
        }
        if (reply.result() != null) {
            result(out, reply.result());
        }
        return out.endObject().toByteArray();
    }

    /** {@code wrapped} gives the bidirectional form {@code {"push":{...}}}; otherwise the bare push. */
    static byte[] push(Push push, boolean wrapped) {
        JsonOut out = new JsonOut(64 + payloadSizeHint(push.body()));
        if (wrapped) {
            out.beginObject().field(PUSH);
        }
        out.beginObject();
        if (notEmpty(push.channel())) {
            out.field(CHANNEL).string(push.channel());
        }
        pushBody(out, push.body());
        out.endObject();
        if (wrapped) {
            out.endObject();
        }
        return out.toByteArray();
    }

    private static int payloadSizeHint(PushBody body) {
        return body instanceof Publication p && p.data() != null ? p.data().length : 0;
    }

    private static void error(JsonOut out, ReplyError e) {
        out.beginObject();
        if (e.code() != 0) {
            out.field(CODE).unsigned(e.code());
        }
        if (notEmpty(e.message())) {
            out.field(MESSAGE).string(e.message());
        }
        if (e.temporary()) {
            out.field(TEMPORARY).bool(true);
        }
        out.endObject();
    }

    private static void result(JsonOut out, Result result) {
        switch (result) {
            case Result.Connect c -> connectResult(out.field(CONNECT), c);
            case Result.Subscribe s -> subscribeResult(out.field(SUBSCRIBE), s);
            case Result.Unsubscribe u -> out.field(UNSUBSCRIBE).beginObject().endObject();
            case Result.Publish p -> out.field(PUBLISH).beginObject().endObject();
            case Result.Presence p -> presence(out.field(PRESENCE), p);
            case Result.PresenceStats s -> out.field(PRESENCE_STATS).beginObject()
                    .field(NUM_CLIENTS).unsigned(s.numClients())
                    .field(NUM_USERS).unsigned(s.numUsers())
                    .endObject();
            case Result.History h -> history(out.field(HISTORY), h);
            case Result.Ping p -> out.field(PING).beginObject().endObject();
            case Result.Rpc r -> {
                out.field(RPC).beginObject();
                rawIfPresent(out, DATA, r.data());
                out.endObject();
            }
            case Result.Refresh r -> {
                out.field(REFRESH).beginObject();
                stringIfPresent(out, CLIENT, r.client());
                stringIfPresent(out, VERSION, r.version());
                expiresAndTtl(out, r.expires(), r.ttl());
                out.endObject();
            }
            case Result.SubRefresh r -> {
                out.field(SUB_REFRESH).beginObject();
                expiresAndTtl(out, r.expires(), r.ttl());
                out.endObject();
            }
        }
    }

    private static void pushBody(JsonOut out, PushBody body) {
        switch (body) {
            case Publication p -> publication(out.field(PUB), p);
            case PushBody.Join j -> {
                out.field(JOIN).beginObject();
                if (j.info() != null) {
                    clientInfo(out.field(INFO), j.info());
                }
                out.endObject();
            }
            case PushBody.Leave l -> {
                out.field(LEAVE).beginObject();
                if (l.info() != null) {
                    clientInfo(out.field(INFO), l.info());
                }
                out.endObject();
            }
            case PushBody.Unsubscribe u -> {
                out.field(UNSUBSCRIBE).beginObject();
                if (u.code() != 0) {
                    out.field(CODE).unsigned(u.code());
                }
                stringIfPresent(out, REASON, u.reason());
                out.endObject();
            }
            case PushBody.Message m -> {
                out.field(MESSAGE).beginObject();
                rawIfPresent(out, DATA, m.data());
                out.endObject();
            }
            case PushBody.Subscribe s -> subscribePush(out.field(SUBSCRIBE), s);
            case Result.Connect c -> connectPush(out.field(CONNECT), c);
            case PushBody.Disconnect d -> {
                out.field(DISCONNECT).beginObject();
                if (d.code() != 0) {
                    out.field(CODE).unsigned(d.code());
                }
                stringIfPresent(out, REASON, d.reason());
                if (d.reconnect()) {
                    out.field(RECONNECT).bool(true);
                }
                out.endObject();
            }
            case PushBody.Refresh r -> {
                out.field(REFRESH).beginObject();
                expiresAndTtl(out, r.expires(), r.ttl());
                out.endObject();
            }
        }
    }

    /** ConnectResult order: client, version, expires, ttl, data, subs, ping, pong, session, node, time. */
    private static void connectResult(JsonOut out, Result.Connect c) {
        out.beginObject();
        stringIfPresent(out, CLIENT, c.client());
        stringIfPresent(out, VERSION, c.version());
        expiresAndTtl(out, c.expires(), c.ttl());
        rawIfPresent(out, DATA, c.data());
        subs(out, c.subs());
        connectTail(out, c);
        out.endObject();
    }

    /** The Connect push message orders its fields differently: data and subs come before expires and ttl. */
    private static void connectPush(JsonOut out, Result.Connect c) {
        out.beginObject();
        stringIfPresent(out, CLIENT, c.client());
        stringIfPresent(out, VERSION, c.version());
        rawIfPresent(out, DATA, c.data());
        subs(out, c.subs());
        expiresAndTtl(out, c.expires(), c.ttl());
        connectTail(out, c);
        out.endObject();
    }

    private static void connectTail(JsonOut out, Result.Connect c) {
        if (c.ping() != 0) {
            out.field(PING).unsigned(c.ping());
        }
        if (c.pong()) {
            out.field(PONG).bool(true);
        }
        stringIfPresent(out, SESSION, c.session());
        stringIfPresent(out, NODE, c.node());
        if (c.time() != 0) {
            out.field(TIME).number(c.time());
        }
    }

    private static void subs(JsonOut out, Map<String, Result.Subscribe> subs) {
        if (subs == null || subs.isEmpty()) {
            return;
        }
        out.field(SUBS).beginObject();
        for (Map.Entry<String, Result.Subscribe> e : subs.entrySet()) {
            out.key(e.getKey());
            if (e.getValue() == null) {
                out.raw(null);
            } else {
                subscribeResult(out, e.getValue());
            }
        }
        out.endObject();
    }

    private static void subscribeResult(JsonOut out, Result.Subscribe s) {
        out.beginObject();
        expiresAndTtl(out, s.expires(), s.ttl());
        if (s.recoverable()) {
            out.field(RECOVERABLE).bool(true);
        }
        stringIfPresent(out, EPOCH, s.epoch());
        if (s.publications() != null && !s.publications().isEmpty()) {
            publications(out.field(PUBLICATIONS), s.publications());
        }
        if (s.recovered()) {
            out.field(RECOVERED).bool(true);
        }
        if (s.offset() != 0) {
            out.field(OFFSET).unsigned(s.offset());
        }
        if (s.positioned()) {
            out.field(POSITIONED).bool(true);
        }
        rawIfPresent(out, DATA, s.data());
        if (s.wasRecovering()) {
            out.field(WAS_RECOVERING).bool(true);
        }
        if (s.delta()) {
            out.field(DELTA).bool(true);
        }
        out.endObject();
    }

    private static void subscribePush(JsonOut out, PushBody.Subscribe s) {
        out.beginObject();
        if (s.recoverable()) {
            out.field(RECOVERABLE).bool(true);
        }
        stringIfPresent(out, EPOCH, s.epoch());
        if (s.offset() != 0) {
            out.field(OFFSET).unsigned(s.offset());
        }
        if (s.positioned()) {
            out.field(POSITIONED).bool(true);
        }
        rawIfPresent(out, DATA, s.data());
        out.endObject();
    }

    private static void presence(JsonOut out, Result.Presence p) {
        out.beginObject().field(PRESENCE).beginObject();
        if (p.presence() != null) {
            for (Map.Entry<String, ClientInfo> e : p.presence().entrySet()) {
                out.key(e.getKey());
                if (e.getValue() == null) {
                    out.raw(null);
                } else {
                    clientInfo(out, e.getValue());
                }
            }
        }
        out.endObject().endObject();
    }

    private static void history(JsonOut out, Result.History h) {
        out.beginObject().field(PUBLICATIONS);
        publications(out, h.publications() == null ? List.of() : h.publications());
        out.field(EPOCH).string(h.epoch());
        out.field(OFFSET).unsigned(h.offset());
        out.endObject();
    }

    private static void publications(JsonOut out, List<Publication> publications) {
        out.beginArray();
        for (Publication p : publications) {
            publication(out, p);
        }
        out.endArray();
    }

    /** Publication order: data, info, offset, tags, delta, time, channel. */
    private static void publication(JsonOut out, Publication p) {
        out.beginObject();
        rawIfPresent(out, DATA, p.data());
        if (p.info() != null) {
            clientInfo(out.field(INFO), p.info());
        }
        if (p.offset() != 0) {
            out.field(OFFSET).unsigned(p.offset());
        }
        if (p.tags() != null && !p.tags().isEmpty()) {
            out.field(TAGS).beginObject();
            for (Map.Entry<String, String> e : p.tags().entrySet()) {
                out.key(e.getKey()).string(e.getValue());
            }
            out.endObject();
        }
        if (p.delta()) {
            out.field(DELTA).bool(true);
        }
        if (p.time() != 0) {
            out.field(TIME).number(p.time());
        }
        stringIfPresent(out, CHANNEL, p.channel());
        out.endObject();
    }

    private static void clientInfo(JsonOut out, ClientInfo info) {
        out.beginObject();
        out.field(USER).string(info.user());
        out.field(CLIENT).string(info.client());
        rawIfPresent(out, CONN_INFO, info.connInfo());
        rawIfPresent(out, CHAN_INFO, info.chanInfo());
        out.endObject();
    }

    private static void expiresAndTtl(JsonOut out, boolean expires, int ttl) {
        if (expires) {
            out.field(EXPIRES).bool(true);
        }
        if (ttl != 0) {
            out.field(TTL).unsigned(ttl);
        }
    }

    private static void stringIfPresent(JsonOut out, byte[] name, String value) {
        if (notEmpty(value)) {
            out.field(name).string(value);
        }
    }

    private static void rawIfPresent(JsonOut out, byte[] name, byte[] value) {
        if (value != null && value.length != 0) {
            out.field(name).raw(value);
        }
    }

    private static boolean notEmpty(String s) {
        return s != null && !s.isEmpty();
    }
}
