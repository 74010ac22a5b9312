package dev.herald.protocol;

import dev.herald.protocol.Proto.Builder;
import dev.herald.protocol.Proto.Msg;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.herald.protocol.Proto.builder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Field numbers are those of centrifugal/protocol definitions/client.proto (v0.19.x). */
class ProtobufClientCodecTest {
    private static final ClientCodec CODEC = ClientCodec.of(Protocol.PROTOBUF);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Msg reply(Reply reply) {
        return Proto.parseElement(CODEC.encodeReply(reply));
    }

    private static Result.Subscribe emptySubscribe() {
        return new Result.Subscribe(false, 0, false, null, 0, null, false, false, null, false, false);
    }

    // ---- encoding ----

    @Test
    void connectReplyUsesConnectResultNumbers() {
        Map<String, Result.Subscribe> subs = new LinkedHashMap<>();
        subs.put("#42", emptySubscribe());
        Result.Connect connect = new Result.Connect("c1", "6.9.1 OSS", true, 600, utf8("d"), subs, 25, true,
                "sess", "node", 1700000000000L);
        Msg reply = reply(Reply.ok(1, connect));
        reply.assertFields(1, 5);
        assertEquals(1, reply.varint(1));
        Msg result = reply.message(5);
        result.assertFields(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        assertEquals("c1", result.string(1));
        assertEquals("6.9.1 OSS", result.string(2));
        assertEquals(1, result.varint(3));
        assertEquals(600, result.varint(4));
        assertEquals("d", result.string(5));
        Msg entry = result.message(6);
        assertEquals("#42", entry.string(1));
        assertEquals(0, entry.lengthDelimited(2).size());
        assertEquals(25, result.varint(7));
        assertEquals(1, result.varint(8));
        assertEquals("sess", result.string(9));
        assertEquals("node", result.string(10));
        assertEquals(1700000000000L, result.varint(11));
    }

    @Test
    void connectPushUsesConnectMessageNumbers() {
        Result.Connect connect = new Result.Connect("c1", "v", true, 600, utf8("d"), Map.of("#1", emptySubscribe()),
                25, false, "s", null, 0);
        Msg push = Proto.parseElement(CODEC.encodeUniPush(new Push("", connect)));
        push.assertFields(10);
        Msg body = push.message(10);
        body.assertFields(1, 2, 3, 4, 5, 6, 7, 9);
        assertEquals("d", body.string(3));
        assertEquals("#1", body.message(4).string(1));
        assertEquals(1, body.varint(5));
        assertEquals(600, body.varint(6));
        assertEquals(25, body.varint(7));
        assertEquals("s", body.string(9));
    }

    @Test
    void subscribeReplyWithRecovery() {
        Publication p = new Publication(utf8("x"), null, 11, null, false, 0, null);
        Result.Subscribe s = new Result.Subscribe(true, 30, true, "ep", 12, List.of(p, p.withOffset(12)), true,
                true, utf8("sd"), true, true);
        Msg result = reply(Reply.ok(2, s)).message(6);
        result.assertFields(1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13);
        assertEquals(30, result.varint(2));
        assertEquals("ep", result.string(6));
        assertEquals(2, result.all(7).size());
        assertEquals(12, Msg.parse(result.all(7).get(1)).varint(6));
        assertEquals(12, result.varint(9));
        assertEquals("sd", result.string(11));
    }

    @Test
    void emptyResultsArePresentWithZeroLength() {
        assertArrayEquals(new byte[] {4, 8, 2, 0x32, 0}, CODEC.encodeReply(Reply.ok(2, emptySubscribe())));
        assertArrayEquals(new byte[] {4, 8, 3, 0x42, 0}, CODEC.encodeReply(Reply.ok(3, new Result.Publish())));
        assertArrayEquals(new byte[] {4, 8, 3, 0x3a, 0}, CODEC.encodeReply(Reply.ok(3, new Result.Unsubscribe())));
        assertArrayEquals(new byte[] {4, 8, 3, 0x62, 0}, CODEC.encodeReply(Reply.ok(3, new Result.Ping())));
    }

    @Test
    void errorReply() {
        Msg error = reply(Reply.error(7, new ReplyError(100, "internal server error", true))).message(2);
        error.assertFields(1, 2, 3);
        assertEquals(100, error.varint(1));
        assertEquals("internal server error", error.string(2));
        assertEquals(1, error.varint(3));
    }

    @Test
    void presenceAndStatsAndHistoryReplies() {
        Msg presence = reply(Reply.ok(8, new Result.Presence(Map.of("c1",
                new ClientInfo("42", "c1", utf8("ci"), utf8("ch")))))).message(9);
        Msg entry = presence.message(1);
        assertEquals("c1", entry.string(1));
        Msg info = entry.message(2);
        info.assertFields(1, 2, 3, 4);
        assertEquals("42", info.string(1));
        assertEquals("ci", info.string(3));
        assertEquals("ch", info.string(4));

        Msg stats = reply(Reply.ok(4, new Result.PresenceStats(3, 2))).message(10);
        assertEquals(3, stats.varint(1));
        assertEquals(2, stats.varint(2));

        Publication full = new Publication(utf8("data"), new ClientInfo("u", "c", null, null), 5,
                Map.of("k", "v"), true, 99, "chan");
        Msg history = reply(Reply.ok(9, new Result.History(List.of(full), 5, "ep"))).message(11);
        history.assertFields(1, 2, 3);
        Msg pub = history.message(1);
        pub.assertFields(4, 5, 6, 7, 8, 9, 10);
        assertEquals("data", pub.string(4));
        assertEquals("u", pub.message(5).string(1));
        assertEquals(5, pub.varint(6));
        assertEquals("k", pub.message(7).string(1));
        assertEquals("v", pub.message(7).string(2));
        assertEquals(1, pub.varint(8));
        assertEquals(99, pub.varint(9));
        assertEquals("chan", pub.string(10));
        assertEquals("ep", history.string(2));
        assertEquals(5, history.varint(3));
    }

    @Test
    void rpcAndRefreshReplies() {
        assertEquals("r", reply(Reply.ok(6, new Result.Rpc(utf8("r")))).message(13).string(1));
        Msg refresh = reply(Reply.ok(5, new Result.Refresh("c", "v", true, 60))).message(14);
        refresh.assertFields(1, 2, 3, 4);
        assertEquals(60, refresh.varint(4));
        Msg subRefresh = reply(Reply.ok(6, new Result.SubRefresh(true, 70))).message(15);
        assertEquals(1, subRefresh.varint(1));
        assertEquals(70, subRefresh.varint(2));
    }

    @Test
    void publicationPushIsWrappedInReplyFieldFour() {
        Push push = new Push("chat", new Publication(utf8("{\"t\":1}"), null, 3, null, false, 0, null));
        Msg reply = Proto.parseElement(CODEC.encodePush(push));
        reply.assertFields(4);
        Msg p = reply.message(4);
        p.assertFields(2, 4);
        assertEquals("chat", p.string(2));
        assertEquals("{\"t\":1}", p.message(4).string(4));
        assertEquals(3, p.message(4).varint(6));
        assertArrayEquals(reply.lengthDelimited(4).toByteArray(), Proto.unframe(CODEC.encodeUniPush(push)));
    }

    @Test
    void otherPushBodies() {
        ClientInfo info = new ClientInfo("42", "c1", null, null);
        assertEquals("42", uni(new PushBody.Join(info)).message(5).message(1).string(1));
        assertEquals("c1", uni(new PushBody.Leave(info)).message(6).message(1).string(2));
        Msg unsub = uni(new PushBody.Unsubscribe(2000, "server unsubscribe")).message(7);
        unsub.assertFields(2, 3);
        assertEquals(2000, unsub.varint(2));
        assertEquals("server unsubscribe", unsub.string(3));
        assertEquals("m", uni(new PushBody.Message(utf8("m"))).message(8).string(1));
        Msg sub = uni(new PushBody.Subscribe(true, "e", 4, true, utf8("d"))).message(9);
        sub.assertFields(1, 4, 5, 6, 7);
        assertEquals("e", sub.string(4));
        assertEquals(4, sub.varint(5));
        Msg disconnect = uni(new PushBody.Disconnect(3001, "shutdown", true)).message(11);
        disconnect.assertFields(1, 2, 3);
        assertEquals(3001, disconnect.varint(1));
        Msg refresh = uni(new PushBody.Refresh(true, 3600)).message(12);
        assertEquals(3600, refresh.varint(2));
    }

    private static Msg uni(PushBody body) {
        Msg push = Proto.parseElement(CODEC.encodeUniPush(new Push("ch", body)));
        assertEquals("ch", push.string(2));
        return push;
    }

    @Test
    void pingIsOneZeroByteAndJoinConcatenates() {
        assertArrayEquals(new byte[] {0}, CODEC.ping());
        assertArrayEquals(new byte[] {0}, CODEC.encodeReply(new Reply(0, null, null)));
        byte[] a = CODEC.encodeReply(Reply.ok(3, new Result.Publish()));
        byte[] b = CODEC.ping();
        assertArrayEquals(Proto.concat(a, b), CODEC.join(List.of(a, b)));
    }

    @Test
    void largeMessagesGetMultiByteLengths() {
        byte[] data = new byte[70_000];
        data[69_999] = 7;
        byte[] element = CODEC.encodePush(new Push("c", new Publication(data, null, 1, null, false, 0, null)));
        Msg pub = Proto.parseElement(element).message(4).message(4);
        assertArrayEquals(data, pub.lengthDelimited(4).toByteArray());
    }

    // ---- decoding ----

    @Test
    void decodesEveryRequestKind() throws Exception {
        assertEquals(new Request.Unsubscribe("a"), decodeOne(6, builder().string(1, "a")));
        assertEquals(new Request.Presence("a"), decodeOne(8, builder().string(1, "a")));
        assertEquals(new Request.PresenceStats("a"), decodeOne(9, builder().string(1, "a")));
        assertEquals(new Request.History("a", 10, new StreamPosition(5, "ep"), true), decodeOne(10,
                builder().string(1, "a").varint(7, 10).message(8, builder().varint(1, 5).string(2, "ep"))
                        .varint(9, 1)));
        assertEquals(new Request.History("a", -1, null, false), decodeOne(10,
                builder().string(1, "a").varint(7, -1)));
        assertEquals(new Request.Ping(), decodeOne(11, builder()));
        assertEquals(new Request.Refresh("t"), decodeOne(14, builder().string(1, "t")));
        assertEquals(new Request.SubRefresh("c", "t"), decodeOne(15, builder().string(1, "c").string(2, "t")));
        Request.Publish publish = (Request.Publish) decodeOne(7, builder().string(1, "c").bytes(2, "d"));
        assertEquals("c", publish.channel());
        assertArrayEquals(utf8("d"), publish.data());
        Request.Rpc rpc = (Request.Rpc) decodeOne(13, builder().bytes(1, "d").string(2, "m"));
        assertEquals("m", rpc.method());
        assertArrayEquals(utf8("d"), rpc.data());
        Command send = CODEC.decodeCommands(builder().message(12, builder().bytes(1, "s")).delimited()).getFirst();
        assertEquals(0, send.id());
        assertArrayEquals(utf8("s"), ((Request.Send) send.request()).data());
    }

    @Test
    void decodesConnectAndSubscribe() throws Exception {
        Builder subscribe = builder().string(1, "ch").string(2, "tok").varint(3, 1).string(6, "ep").varint(7, 9)
                .bytes(8, "d").varint(9, 1).varint(10, 1).varint(11, 1).string(12, "fossil")
                .message(13, builder().string(1, "and")).varint(14, 3);
        Request.Subscribe s = (Request.Subscribe) decodeOne(5, subscribe);
        assertEquals("ch", s.channel());
        assertEquals("tok", s.token());
        assertTrue(s.recover());
        assertEquals("ep", s.epoch());
        assertEquals(9, s.offset());
        assertArrayEquals(utf8("d"), s.data());
        assertTrue(s.positioned() && s.recoverable() && s.joinLeave());
        assertEquals("fossil", s.delta());

        Builder connect = builder().string(1, "jwt").bytes(2, "cd")
                .message(3, builder().string(1, "news").message(2, builder().varint(3, 1).varint(7, 4)))
                .message(3, builder().string(1, "empty"))
                .string(4, "js").string(5, "1.0")
                .message(6, builder().string(1, "X-A").string(2, "1"))
                .varint(7, 1);
        Request.Connect c = (Request.Connect) decodeOne(4, connect);
        assertEquals("jwt", c.token());
        assertArrayEquals(utf8("cd"), c.data());
        assertEquals(List.of("news", "empty"), List.copyOf(c.subs().keySet()));
        assertTrue(c.subs().get("news").recover());
        assertEquals(4, c.subs().get("news").offset());
        assertEquals("", c.subs().get("empty").channel());
        assertEquals("js", c.name());
        assertEquals("1.0", c.version());
        assertEquals(Map.of("X-A", "1"), c.headers());
    }

    private static Request decodeOne(int field, Builder request) throws ProtocolException {
        List<Command> commands = CODEC.decodeCommands(builder().varint(1, 42).message(field, request).delimited());
        assertEquals(1, commands.size());
        assertEquals(42, commands.getFirst().id());
        return commands.getFirst().request();
    }

    @Test
    void decodesSeveralDelimitedCommandsInOneFrame() throws Exception {
        byte[] frame = Proto.concat(
                builder().varint(1, 1).message(4, builder().string(1, "jwt")).delimited(),
                new byte[] {0},
                builder().varint(1, 2).message(5, builder().string(1, "a")).delimited(),
                builder().varint(1, 4294967295L).message(11, builder()).delimited());
        List<Command> commands = CODEC.decodeCommands(frame);
        assertEquals(4, commands.size());
        assertEquals("jwt", ((Request.Connect) commands.get(0).request()).token());
        assertSame(Command.EMPTY, commands.get(1));
        assertEquals("a", ((Request.Subscribe) commands.get(2).request()).channel());
        assertEquals(4294967295L, commands.get(3).id());
        assertEquals(List.of(), CODEC.decodeCommands(new byte[0]));
    }

    @Test
    void skipsUnknownFieldsAndTakesTheLowestRequestField() throws Exception {
        byte[] frame = builder().varint(1, 5).fixed32(30, 1).fixed64(31, 2).varint(99, 3)
                .message(8, builder().string(1, "p"))
                .message(5, builder().string(1, "s").string(50, "ignored"))
                .raw(new byte[] {(byte) 0xA3, 0x06, 0x08, 0x01, (byte) 0xA4, 0x06}) // group 100 holding varint 1 = 1
                .delimited();
        Command c = CODEC.decodeCommands(frame).getFirst();
        assertEquals(5, c.id());
        assertEquals("s", ((Request.Subscribe) c.request()).channel());
    }

    @Test
    void rejectsDamagedInput() {
        byte[] valid = builder().varint(1, 1).message(5, builder().string(1, "abc")).delimited();
        for (int cut = 1; cut < valid.length; cut++) {
            byte[] truncated = java.util.Arrays.copyOf(valid, cut);
            assertThrows(ProtocolException.class, () -> CODEC.decodeCommands(truncated), "cut at " + cut);
        }
        // a length far beyond the frame must fail fast, not allocate
        assertThrows(ProtocolException.class,
                () -> CODEC.decodeCommands(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 1}));
        assertThrows(ProtocolException.class, () -> CODEC.decodeCommands(new byte[] {
            (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
            (byte) 0xFF, 0x01}));
        // wrong wire type for a known field: channel (string) sent as a varint
        assertThrows(ProtocolException.class, () -> CODEC.decodeCommands(
                builder().varint(1, 1).message(5, builder().varint(1, 3)).delimited()));
        // id sent as a string
        assertThrows(ProtocolException.class, () -> CODEC.decodeCommands(builder().string(1, "1").delimited()));
        // field number 0 is invalid
        assertThrows(ProtocolException.class, () -> CODEC.decodeCommands(new byte[] {2, 0, 0}));
        // an end-group tag with no group open
        assertThrows(ProtocolException.class, () -> CODEC.decodeCommands(new byte[] {2, (byte) 0xA4, 0x01}));
        // nested length beyond its parent
        assertThrows(ProtocolException.class, () -> CODEC.decodeCommands(new byte[] {4, 0x2a, 0x10, 0x0a, 0x01}));
    }

    @Test
    void rejectsDeeplyNestedGroupsWithoutOverflowingTheStack() {
        int depth = 200_000;
        byte[] groups = new byte[depth * 2];
        for (int i = 0; i < depth; i++) {
            groups[2 * i] = (byte) 0xA3; // tag of field 20 with wire type 3 (start group), as a 2-byte varint
            groups[2 * i + 1] = 0x01;
        }
        byte[] frame = builder().raw(groups).delimited();
        assertThrows(ProtocolException.class, () -> CODEC.decodeCommands(frame));
    }

    @Test
    void decodesBareConnectRequest() throws Exception {
        Request.Connect c = CODEC.decodeConnectRequest(builder().string(1, "jwt").string(4, "terminal").build());
        assertEquals("jwt", c.token());
        assertEquals("terminal", c.name());
        assertNull(c.data());
        assertEquals(new Request.Connect("", null, Map.of(), "", "", Map.of()), CODEC.decodeConnectRequest(new byte[0]));
        assertThrows(ProtocolException.class, () -> CODEC.decodeConnectRequest(new byte[] {0x0a, 0x05, 'a'}));
    }

    @Test
    void encodedRequestsRoundTripThroughTheDecoder() throws Exception {
        Command c = CODEC.decodeCommands(builder().varint(1, 3).message(7,
                builder().string(1, "c").bytes(2, new byte[] {0, (byte) 0xFF, 10})).delimited()).getFirst();
        Request.Publish p = assertInstanceOf(Request.Publish.class, c.request());
        assertArrayEquals(new byte[] {0, (byte) 0xFF, 10}, p.data());
    }
}
