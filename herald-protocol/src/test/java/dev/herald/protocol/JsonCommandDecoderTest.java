package dev.herald.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonCommandDecoderTest {
    private static final ClientCodec CODEC = ClientCodec.of(Protocol.JSON);

    private static List<Command> decode(String frame) throws ProtocolException {
        return CODEC.decodeCommands(frame.getBytes(StandardCharsets.UTF_8));
    }

    private static Command single(String frame) throws ProtocolException {
        List<Command> commands = decode(frame);
        assertEquals(1, commands.size());
        return commands.getFirst();
    }

    private static String utf8(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void decodesConnectWithAllFields() throws Exception {
        Command c = single("{\"id\":1,\"connect\":{\"token\":\"jwt\",\"data\":{\"a\":[1,2]},\"name\":\"js\","
                + "\"version\":\"1.0\",\"subs\":{\"news\":{\"recover\":true,\"epoch\":\"ab\",\"offset\":7}},"
                + "\"headers\":{\"X-A\":\"1\",\"X-B\":\"2\"},\"flag\":3}}");
        assertEquals(1, c.id());
        Request.Connect r = assertInstanceOf(Request.Connect.class, c.request());
        assertEquals("jwt", r.token());
        assertEquals("{\"a\":[1,2]}", utf8(r.data()));
        assertEquals("js", r.name());
        assertEquals("1.0", r.version());
        assertEquals(Map.of("X-A", "1", "X-B", "2"), r.headers());
        Request.Subscribe news = r.subs().get("news");
        assertTrue(news.recover());
        assertEquals("ab", news.epoch());
        assertEquals(7, news.offset());
    }

    @Test
    void decodesSubscribe() throws Exception {
        Command c = single("{\"id\":2,\"subscribe\":{\"channel\":\"chat:index\",\"token\":\"t\",\"recover\":true,"
                + "\"epoch\":\"qFhv\",\"offset\":10,\"data\":\"x\",\"positioned\":true,\"recoverable\":true,"
                + "\"join_leave\":true,\"delta\":\"fossil\",\"tf\":{\"op\":\"and\",\"nodes\":[{\"key\":\"k\"}]}}}");
        Request.Subscribe s = assertInstanceOf(Request.Subscribe.class, c.request());
        assertEquals("chat:index", s.channel());
        assertEquals("t", s.token());
        assertTrue(s.recover());
        assertEquals("qFhv", s.epoch());
        assertEquals(10, s.offset());
        assertEquals("\"x\"", utf8(s.data()));
        assertTrue(s.positioned());
        assertTrue(s.recoverable());
        assertTrue(s.joinLeave());
        assertEquals("fossil", s.delta());
    }

    @Test
    void decodesEveryOtherRequestKind() throws Exception {
        assertEquals(new Request.Unsubscribe("a"), single("{\"id\":3,\"unsubscribe\":{\"channel\":\"a\"}}").request());
        Request.Publish pub = (Request.Publish) single("{\"id\":4,\"publish\":{\"channel\":\"a\",\"data\":{\"t\":1}}}")
                .request();
        assertEquals("a", pub.channel());
        assertEquals("{\"t\":1}", utf8(pub.data()));
        assertEquals(new Request.Presence("a"), single("{\"id\":5,\"presence\":{\"channel\":\"a\"}}").request());
        assertEquals(new Request.PresenceStats("a"),
                single("{\"id\":6,\"presence_stats\":{\"channel\":\"a\"}}").request());
        assertEquals(new Request.History("a", 10, new StreamPosition(5, "ep"), true),
                single("{\"id\":7,\"history\":{\"channel\":\"a\",\"limit\":10,\"since\":{\"offset\":5,"
                        + "\"epoch\":\"ep\"},\"reverse\":true}}").request());
        assertEquals(new Request.History("a", -1, null, false),
                single("{\"id\":7,\"history\":{\"channel\":\"a\",\"limit\":-1}}").request());
        assertEquals(new Request.Ping(), single("{\"id\":8,\"ping\":{}}").request());
        Command send = single("{\"send\":{\"data\":[1,2,3]}}");
        assertEquals(0, send.id());
        assertEquals("[1,2,3]", utf8(((Request.Send) send.request()).data()));
        Request.Rpc rpc = (Request.Rpc) single("{\"id\":9,\"rpc\":{\"method\":\"m\",\"data\":{}}}").request();
        assertEquals("m", rpc.method());
        assertEquals("{}", utf8(rpc.data()));
        assertEquals(new Request.Refresh("tok"), single("{\"id\":10,\"refresh\":{\"token\":\"tok\"}}").request());
        assertEquals(new Request.SubRefresh("c", "tok"),
                single("{\"id\":11,\"sub_refresh\":{\"channel\":\"c\",\"token\":\"tok\"}}").request());
    }

    @Test
    void emptyObjectIsThePong() throws Exception {
        assertSame(Command.EMPTY, single("{}"));
        assertTrue(single(" {\"unknown\":[1,{\"x\":null}]} ").isEmpty());
    }

    @Test
    void decodesNewlineDelimitedCommands() throws Exception {
        List<Command> commands = decode("{\"id\":3,\"publish\":{\"channel\":\"c\",\"data\":{\"text\":\"yo\"}}}\n"
                + "\r\n  \n{\"id\":4,\"presence_stats\":{\"channel\":\"c\"}}\n");
        assertEquals(2, commands.size());
        assertEquals(3, commands.get(0).id());
        assertEquals("{\"text\":\"yo\"}", utf8(((Request.Publish) commands.get(0).request()).data()));
        assertEquals(new Command(4, new Request.PresenceStats("c")), commands.get(1));
        assertEquals(List.of(), decode(""));
        assertEquals(List.of(), decode("\n \n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"k\":{\"a\":[1,2,{\"b\":null}],\"c\":\"d\"}}",
        "\"plain string\"",
        "\"esc \\\"quoted\\\" \\\\ \\n \\u00e9 \\ud83d\\ude00\"",
        "\"unicode é ü 日本 😀\"",
        "12345",
        "-0.5e+10",
        "0",
        "true",
        "false",
        "[]",
        "[\"a\", 1 , {\"x\" : [ ]} ]",
        "{ }"
    })
    void keepsRawDataBytesExactly(String raw) throws Exception {
        for (String frame : List.of(
                "{\"id\":1,\"publish\":{\"channel\":\"c\",\"data\":" + raw + "}}",
                "{\"id\":1,\"publish\":{\"data\" :  " + raw + "  ,\"channel\":\"c\"}}",
                "{}\n  {\"id\":1 , \"publish\" : {\"data\":" + raw + "}}  \n{}")) {
            Command c = decode(frame).stream().filter(x -> !x.isEmpty()).findFirst().orElseThrow();
            byte[] data = ((Request.Publish) c.request()).data();
            assertArrayEquals(raw.getBytes(StandardCharsets.UTF_8), data, frame);
        }
    }

    @Test
    void nullValuesMeanAbsent() throws Exception {
        Command c = single("{\"id\":null,\"connect\":null,\"publish\":{\"channel\":null,\"data\":null}}");
        Request.Publish p = assertInstanceOf(Request.Publish.class, c.request());
        assertEquals("", p.channel());
        assertNull(p.data());
        assertEquals(0, c.id());
    }

    @Test
    void firstRequestInFieldOrderWins() throws Exception {
        Command c = single("{\"id\":5,\"presence\":{\"channel\":\"b\"},\"subscribe\":{\"channel\":\"a\"}}");
        assertEquals("a", ((Request.Subscribe) c.request()).channel());
    }

    @Test
    void acceptsFullUnsignedRanges() throws Exception {
        assertEquals(4294967295L, single("{\"id\":4294967295,\"ping\":{}}").id());
        Request.Subscribe s = (Request.Subscribe) single(
                "{\"id\":1,\"subscribe\":{\"offset\":18446744073709551615}}").request();
        assertEquals(-1L, s.offset());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"id\":\"1\",\"ping\":{}}",
        "{\"id\":1.5,\"ping\":{}}",
        "{\"id\":-1,\"ping\":{}}",
        "{\"id\":4294967296,\"ping\":{}}",
        "{\"id\":1,\"subscribe\":{\"offset\":18446744073709551616}}",
        "{\"id\":1,\"subscribe\":{\"offset\":-1}}",
        "{\"id\":1,\"subscribe\":{\"channel\":5}}",
        "{\"id\":1,\"subscribe\":{\"recover\":\"true\"}}",
        "{\"id\":1,\"subscribe\":[]}",
        "{\"id\":1,\"history\":{\"since\":5}}",
        "{\"id\":1,\"history\":{\"limit\":2147483648}}",
        "{\"id\":1,\"connect\":{\"headers\":{\"a\":1}}}",
        "{\"id\":1,\"connect\":{\"subs\":{\"a\":true}}}",
        "[]",
        "null",
        "\"str\"",
        "{\"id\":1",
        "{\"id\":1}}",
        "{\"id\":1} {\"id\":2}",
        "{'id':1}",
        "{\"id\":01}",
        "{\"id\":1,\"publish\":{\"data\":nope}}"
    })
    void rejectsMalformedCommands(String frame) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> decode(frame));
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void rejectsInvalidUtf8() {
        byte[] frame = {'{', '"', 'i', 'd', '"', ':', '1', ',', '"', 'p', 'u', 'b', 'l', 'i', 's', 'h', '"', ':',
            '{', '"', 'c', 'h', 'a', 'n', 'n', 'e', 'l', '"', ':', '"', (byte) 0xC3, '"', '}', '}'};
        assertThrows(ProtocolException.class, () -> CODEC.decodeCommands(frame));
    }

    @Test
    void decodesBareConnectRequest() throws Exception {
        Request.Connect r = CODEC.decodeConnectRequest(
                "{\"token\":\"abc\",\"name\":\"terminal\",\"data\":{\"x\":1}}".getBytes(StandardCharsets.UTF_8));
        assertEquals("abc", r.token());
        assertEquals("terminal", r.name());
        assertEquals("{\"x\":1}", utf8(r.data()));
        Request.Connect empty = new Request.Connect("", null, Map.of(), "", "", Map.of());
        assertEquals(empty, CODEC.decodeConnectRequest(new byte[0]));
        assertEquals(empty, CODEC.decodeConnectRequest(" null ".getBytes(StandardCharsets.UTF_8)));
        assertEquals(empty, CODEC.decodeConnectRequest("{}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(ProtocolException.class,
                () -> CODEC.decodeConnectRequest("[]".getBytes(StandardCharsets.UTF_8)));
        assertThrows(ProtocolException.class,
                () -> CODEC.decodeConnectRequest("{\"token\":1}".getBytes(StandardCharsets.UTF_8)));
    }
}
