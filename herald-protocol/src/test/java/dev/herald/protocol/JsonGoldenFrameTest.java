package dev.herald.protocol;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Pins the exact bytes Centrifugo writes for each reply and push (field order from its easyjson encoder). */
class JsonGoldenFrameTest {
    private static final ClientCodec CODEC = ClientCodec.of(Protocol.JSON);

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static String reply(Reply reply) {
        return text(CODEC.encodeReply(reply));
    }

    private static String push(Push push) {
        return text(CODEC.encodePush(push));
    }

    private static String uniPush(Push push) {
        return text(CODEC.encodeUniPush(push));
    }

    private static Publication pub(String data, long offset) {
        return new Publication(json(data), null, offset, null, false, 0, null);
    }

    private static Result.Subscribe emptySubscribe() {
        return new Result.Subscribe(false, 0, false, null, 0, null, false, false, null, false, false);
    }

    @Test
    void connectReply() {
        Result.Connect connect = new Result.Connect("9f2c", "6.9.1 OSS", true, 600, null, null, 25, true, null,
                null, 0);
        assertEquals("{\"id\":1,\"connect\":{\"client\":\"9f2c\",\"version\":\"6.9.1 OSS\",\"expires\":true,"
                + "\"ttl\":600,\"ping\":25,\"pong\":true}}", reply(Reply.ok(1, connect)));
    }

    @Test
    void connectReplyWithEveryField() {
        Map<String, Result.Subscribe> subs = new LinkedHashMap<>();
        subs.put("#42", emptySubscribe());
        subs.put("news", new Result.Subscribe(false, 0, true, "ep", 3, null, false, true, null, false, false));
        Result.Connect connect = new Result.Connect("c", "v", true, 10, json("{\"a\":1}"), subs, 25, true, "s",
                "n", 1700000000000L);
        assertEquals("{\"id\":1,\"connect\":{\"client\":\"c\",\"version\":\"v\",\"expires\":true,\"ttl\":10,"
                + "\"data\":{\"a\":1},\"subs\":{\"#42\":{},\"news\":{\"recoverable\":true,\"epoch\":\"ep\","
                + "\"offset\":3,\"positioned\":true}},\"ping\":25,\"pong\":true,\"session\":\"s\",\"node\":\"n\","
                + "\"time\":1700000000000}}", reply(Reply.ok(1, connect)));
    }

    @Test
    void subscribeReplies() {
        assertEquals("{\"id\":2,\"subscribe\":{}}", reply(Reply.ok(2, emptySubscribe())));
        Result.Subscribe recovered = new Result.Subscribe(true, 300, true, "qFhv", 12,
                List.of(pub("{\"text\":\"a\"}", 11), pub("{\"text\":\"b\"}", 12)), true, true, null, true, false);
        assertEquals("{\"id\":2,\"subscribe\":{\"expires\":true,\"ttl\":300,\"recoverable\":true,\"epoch\":\"qFhv\","
                + "\"publications\":[{\"data\":{\"text\":\"a\"},\"offset\":11},{\"data\":{\"text\":\"b\"},"
                + "\"offset\":12}],\"recovered\":true,\"offset\":12,\"positioned\":true,\"was_recovering\":true}}",
                reply(Reply.ok(2, recovered)));
        Result.Subscribe withData = new Result.Subscribe(false, 0, false, "", 0, List.of(), false, false,
                json("{\"x\":1}"), false, true);
        assertEquals("{\"id\":2,\"subscribe\":{\"data\":{\"x\":1},\"delta\":true}}", reply(Reply.ok(2, withData)));
    }

    @Test
    void emptyResults() {
        assertEquals("{\"id\":3,\"publish\":{}}", reply(Reply.ok(3, new Result.Publish())));
        assertEquals("{\"id\":4,\"unsubscribe\":{}}", reply(Reply.ok(4, new Result.Unsubscribe())));
        assertEquals("{\"id\":5,\"ping\":{}}", reply(Reply.ok(5, new Result.Ping())));
        assertEquals("{\"id\":6,\"rpc\":{}}", reply(Reply.ok(6, new Result.Rpc(null))));
        assertEquals("{\"id\":6,\"rpc\":{\"data\":[true]}}", reply(Reply.ok(6, new Result.Rpc(json("[true]")))));
    }

    @Test
    void errorReplies() {
        assertEquals("{\"id\":1,\"error\":{\"code\":103,\"message\":\"permission denied\"}}",
                reply(Reply.error(1, new ReplyError(103, "permission denied", false))));
        assertEquals("{\"id\":7,\"error\":{\"code\":100,\"message\":\"internal server error\",\"temporary\":true}}",
                reply(Reply.error(7, new ReplyError(100, "internal server error", true))));
    }

    @Test
    void presenceReplies() {
        Map<String, ClientInfo> presence = new LinkedHashMap<>();
        presence.put("c1", new ClientInfo("42", "c1", json("{\"name\":\"Alice\"}"), null));
        presence.put("c2", new ClientInfo("", "c2", null, json("\"x\"")));
        assertEquals("{\"id\":8,\"presence\":{\"presence\":{\"c1\":{\"user\":\"42\",\"client\":\"c1\","
                + "\"conn_info\":{\"name\":\"Alice\"}},\"c2\":{\"user\":\"\",\"client\":\"c2\",\"chan_info\":\"x\"}}}}",
                reply(Reply.ok(8, new Result.Presence(presence))));
        assertEquals("{\"id\":8,\"presence\":{\"presence\":{}}}", reply(Reply.ok(8, new Result.Presence(Map.of()))));
        assertEquals("{\"id\":8,\"presence\":{\"presence\":{}}}", reply(Reply.ok(8, new Result.Presence(null))));
    }

    @Test
    void presenceStatsReply() {
        assertEquals("{\"id\":4,\"presence_stats\":{\"num_clients\":2,\"num_users\":2}}",
                reply(Reply.ok(4, new Result.PresenceStats(2, 2))));
        assertEquals("{\"id\":4,\"presence_stats\":{\"num_clients\":0,\"num_users\":0}}",
                reply(Reply.ok(4, new Result.PresenceStats(0, 0))));
    }

    @Test
    void historyReplies() {
        assertEquals("{\"id\":9,\"history\":{\"publications\":[],\"epoch\":\"\",\"offset\":0}}",
                reply(Reply.ok(9, new Result.History(List.of(), 0, ""))));
        assertEquals("{\"id\":9,\"history\":{\"publications\":[],\"epoch\":\"\",\"offset\":0}}",
                reply(Reply.ok(9, new Result.History(null, 0, null))));
        Publication full = new Publication(json("{\"t\":1}"), new ClientInfo("u", "c", null, null), 5,
                Map.of("k", "v"), true, 1700000000123L, "chat:1");
        assertEquals("{\"id\":9,\"history\":{\"publications\":[{\"data\":{\"t\":1},\"info\":{\"user\":\"u\","
                + "\"client\":\"c\"},\"offset\":5,\"tags\":{\"k\":\"v\"},\"delta\":true,\"time\":1700000000123,"
                + "\"channel\":\"chat:1\"}],\"epoch\":\"ab\",\"offset\":5}}",
                reply(Reply.ok(9, new Result.History(List.of(full), 5, "ab"))));
    }

    @Test
    void refreshReplies() {
        assertEquals("{\"id\":5,\"refresh\":{\"client\":\"9f2c\",\"version\":\"6.9.1 OSS\",\"expires\":true,"
                + "\"ttl\":600}}", reply(Reply.ok(5, new Result.Refresh("9f2c", "6.9.1 OSS", true, 600))));
        assertEquals("{\"id\":6,\"sub_refresh\":{\"expires\":true,\"ttl\":60}}",
                reply(Reply.ok(6, new Result.SubRefresh(true, 60))));
        assertEquals("{\"id\":6,\"sub_refresh\":{}}", reply(Reply.ok(6, new Result.SubRefresh(false, 0))));
    }

    @Test
    void publicationPush() {
        Push push = new Push("chat", pub("{\"t\":1}", 3));
        assertEquals("{\"push\":{\"channel\":\"chat\",\"pub\":{\"data\":{\"t\":1},\"offset\":3}}}", push(push));
        assertEquals("{\"channel\":\"chat\",\"pub\":{\"data\":{\"t\":1},\"offset\":3}}", uniPush(push));
    }

    @Test
    void joinAndLeavePushes() {
        ClientInfo info = new ClientInfo("42", "c1", json("{\"n\":\"A\"}"), json("{\"r\":1}"));
        assertEquals("{\"push\":{\"channel\":\"chat\",\"join\":{\"info\":{\"user\":\"42\",\"client\":\"c1\","
                + "\"conn_info\":{\"n\":\"A\"},\"chan_info\":{\"r\":1}}}}}",
                push(new Push("chat", new PushBody.Join(info))));
        assertEquals("{\"push\":{\"channel\":\"chat\",\"leave\":{\"info\":{\"user\":\"42\",\"client\":\"c1\"}}}}",
                push(new Push("chat", new PushBody.Leave(new ClientInfo("42", "c1", null, null)))));
        assertEquals("{\"push\":{\"channel\":\"chat\",\"join\":{\"info\":{\"user\":\"\",\"client\":\"\"}}}}",
                push(new Push("chat", new PushBody.Join(new ClientInfo(null, null, null, null)))));
    }

    @Test
    void unsubscribeAndSubscribePushes() {
        assertEquals("{\"push\":{\"channel\":\"chat\",\"unsubscribe\":{\"code\":2000,\"reason\":\"server unsubscribe\"}}}",
                push(new Push("chat", new PushBody.Unsubscribe(2000, "server unsubscribe"))));
        assertEquals("{\"push\":{\"channel\":\"news\",\"subscribe\":{}}}",
                push(new Push("news", new PushBody.Subscribe(false, null, 0, false, null))));
        assertEquals("{\"push\":{\"channel\":\"news\",\"subscribe\":{\"recoverable\":true,\"epoch\":\"e\","
                + "\"offset\":4,\"positioned\":true,\"data\":{\"d\":1}}}}",
                push(new Push("news", new PushBody.Subscribe(true, "e", 4, true, json("{\"d\":1}")))));
    }

    @Test
    void messagePush() {
        assertEquals("{\"push\":{\"message\":{\"data\":{\"m\":1}}}}",
                push(new Push("", new PushBody.Message(json("{\"m\":1}")))));
    }

    @Test
    void disconnectPush() {
        assertEquals("{\"disconnect\":{\"code\":3001,\"reason\":\"shutdown\",\"reconnect\":true}}",
                uniPush(new Push("", new PushBody.Disconnect(3001, "shutdown", true))));
        assertEquals("{\"push\":{\"disconnect\":{\"code\":3503,\"reason\":\"force disconnect\"}}}",
                push(new Push(null, new PushBody.Disconnect(3503, "force disconnect", false))));
    }

    @Test
    void connectPushUsesTheConnectMessageFieldOrder() {
        Map<String, Result.Subscribe> subs = Map.of("#42", emptySubscribe());
        Result.Connect connect = new Result.Connect("c1", "6.9.1 OSS", true, 60, json("{\"x\":1}"), subs, 25,
                false, "sess", "node1", 0);
        assertEquals("{\"connect\":{\"client\":\"c1\",\"version\":\"6.9.1 OSS\",\"data\":{\"x\":1},"
                + "\"subs\":{\"#42\":{}},\"expires\":true,\"ttl\":60,\"ping\":25,\"session\":\"sess\","
                + "\"node\":\"node1\"}}", uniPush(new Push("", connect)));
    }

    @Test
    void refreshPush() {
        assertEquals("{\"refresh\":{\"expires\":true,\"ttl\":3600}}",
                uniPush(new Push("", new PushBody.Refresh(true, 3600))));
    }

    @Test
    void pingAndJoin() {
        assertEquals("{}", text(CODEC.ping()));
        assertEquals("{}", reply(new Reply(0, null, null)));
        byte[] a = CODEC.encodeReply(Reply.ok(3, new Result.Publish()));
        byte[] b = CODEC.encodeReply(Reply.ok(4, new Result.PresenceStats(2, 2)));
        assertEquals("{\"id\":3,\"publish\":{}}\n{\"id\":4,\"presence_stats\":{\"num_clients\":2,\"num_users\":2}}",
                text(CODEC.join(List.of(a, b))));
        assertArrayEquals(a, CODEC.join(List.of(a)));
        assertEquals("", text(CODEC.join(List.of())));
    }

    @Test
    void escapesStringsLikeCentrifugo() {
        String tricky = "<a href=\"x\">&amp;</a>\\ \n\r\t\b\f\u0001\u007f é 日本 😀 \u2028\u2029";
        assertEquals("{\"push\":{\"channel\":\"\\u003ca href=\\\"x\\\"\\u003e\\u0026amp;\\u003c/a\\u003e\\\\ "
                + "\\n\\r\\t\\u0008\\u000c\\u0001\u007f é 日本 😀 \\u2028\\u2029\",\"message\":{}}}",
                push(new Push(tricky, new PushBody.Message(null))));
        assertEquals("{\"push\":{\"channel\":\"a\\ufffdb\",\"message\":{}}}",
                push(new Push("a\ud800b", new PushBody.Message(null))));
    }

    @Test
    void writesUnsignedValuesAboveTheSignedRange() {
        assertEquals("{\"id\":4294967295,\"history\":{\"publications\":[],\"epoch\":\"e\","
                + "\"offset\":18446744073709551615}}",
                reply(Reply.ok(4294967295L, new Result.History(List.of(), -1L, "e"))));
    }

    @Test
    void decodedRawDataIsReEncodedByteForByte() throws Exception {
        String data = "{\"text\":\"h\\u00e9llo \\\"w\\\"\",\"n\":[1,-2.5e3,null,true],\"u\":\"日本😀\"}";
        Command command = CODEC.decodeCommands(json("{\"id\":3,\"publish\":{\"channel\":\"c\",\"data\":" + data
                + "}}")).getFirst();
        byte[] raw = ((Request.Publish) command.request()).data();
        assertEquals("{\"push\":{\"channel\":\"c\",\"pub\":{\"data\":" + data + ",\"offset\":1}}}",
                push(new Push("c", new Publication(raw, null, 1, null, false, 0, null))));
    }
}
