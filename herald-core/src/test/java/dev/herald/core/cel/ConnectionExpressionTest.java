package dev.herald.core.cel;

import dev.herald.core.testing.FakeTransport;
import dev.herald.core.Node;
import dev.herald.core.testing.TestNode;
import dev.herald.core.auth.ConnectToken;
import dev.herald.core.auth.SubscribeToken;
import dev.herald.core.client.ClientSession;
import dev.herald.core.codes.ErrorException;
import dev.herald.core.config.HeraldConfig;
import dev.herald.protocol.Protocol;
import dev.herald.protocol.Request;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionExpressionTest {
    private static final long IAT = 1_700_000_000L;

    private TestNode testNode;
    private Node node;
    /** user 42, app "terminal" 1.2.0, meta {"device":"ios",...}, subscribed to chat:a, chat:b and news (by token). */
    private ClientSession ios;
    /** user 43, app "web", no meta, no token id, no subscriptions. */
    private ClientSession plain;

    @BeforeEach
    void setUp() {
        HeraldConfig config = new HeraldConfig();
        HeraldConfig.Namespace chat = new HeraldConfig.Namespace();
        chat.name = "chat";
        chat.allowSubscribeForClient = true;
        config.channel.namespaces.add(chat);
        testNode = new TestNode(config);
        node = testNode.node;
        testNode.connectToken("cel-ios", new ConnectToken("42", 0, IAT, "jti-1", null,
                bytes("{\"device\":\"ios\",\"score\":7,\"ratio\":0.75,\"tags\":[\"beta\",\"staff\"],"
                        + "\"nested\":{\"level\":2},\"nothing\":null}"),
                List.of(), Map.of()));
        testNode.connectToken("cel-plain", new ConnectToken("43", 0, 0, null, null, null, List.of(), Map.of()));
        testNode.subscribeToken("cel-news", new SubscribeToken("42", "news", "", 0, IAT + 5, "sub-jti",
                null, null, null));
        ios = connect(new FakeTransport(), "cel-ios", "terminal", "1.2.0");
        ios.handleFrame(bytes("{\"id\":2,\"subscribe\":{\"channel\":\"chat:a\"}}"));
        ios.handleFrame(bytes("{\"id\":3,\"subscribe\":{\"channel\":\"chat:b\"}}"));
        ios.handleFrame(bytes("{\"id\":4,\"subscribe\":{\"channel\":\"news\",\"token\":\"cel-news\"}}"));
        plain = connect(new FakeTransport(), "cel-plain", "web", "");
        assertTrue(ios.connected() && plain.connected());
        assertEquals(3, ios.subscriptions().size(), ios.subscriptions().keySet().toString());
    }

    private ClientSession connect(FakeTransport transport, String token, String name, String version) {
        ClientSession s = node.newSession(transport);
        s.handleFrame(bytes("{\"id\":1,\"connect\":{\"token\":\"" + token + "\",\"name\":\"" + name
                + "\",\"version\":\"" + version + "\"}}"));
        return s;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Asserts the expression matches exactly {@code expected} among the two fixture sessions. */
    private void assertMatches(String expression, ClientSession... expected) {
        ConnectionExpression e = ConnectionExpression.compile(expression);
        List<ClientSession> want = List.of(expected);
        for (ClientSession s : List.of(ios, plain)) {
            assertEquals(want.contains(s), e.matches(s), expression + " on user " + s.user());
        }
    }

    private static ErrorException compileError(String expression) {
        return assertThrows(ErrorException.class, () -> ConnectionExpression.compile(expression));
    }

    @Test
    void stringVariables() {
        assertMatches("user == \"42\"", ios);
        assertMatches("user == \"nobody\"");
        assertMatches("client == \"" + plain.id() + "\"", plain);
        assertMatches("transport == \"websocket\"", ios, plain);
        assertMatches("protocol == \"json\"", ios, plain);
        assertMatches("app_name in [\"terminal\", \"desktop\"]", ios);
        assertMatches("app_version.startsWith(\"1.\")", ios);
        assertMatches("app_version == \"\"", plain);
        assertMatches("user.matches(\"^4[0-9]$\") && app_name != \"web\"", ios);
    }

    @Test
    void tokenAndTimeVariables() {
        assertMatches("token_uid == \"jti-1\"", ios);
        assertMatches("token_uid == \"\"", plain);
        assertMatches("token_issued_at == " + IAT, ios);
        assertMatches("token_issued_at == 0", plain);
        assertMatches("connected_at > 0", ios, plain);
        assertMatches("connected_at > " + (System.currentTimeMillis() + 60_000));
    }

    @Test
    void channelsAndSubscriptionTokens() {
        assertMatches("channels.exists(c, c.startsWith(\"chat:\"))", ios);
        assertMatches("\"news\" in channels && size(channels) == 3", ios);
        assertMatches("channels.all(c, c.startsWith(\"chat:\"))", plain);
        assertMatches("subscription_tokens[\"news\"].uid == \"sub-jti\"", ios);
        assertMatches("subscription_tokens[\"news\"].issued_at == " + (IAT + 5), ios);
        assertMatches("!(\"chat:a\" in subscription_tokens)", ios, plain);
    }

    @Test
    void metaFields() {
        assertMatches("meta.device == \"ios\"", ios);
        assertMatches("meta.device == \"android\"");
        assertMatches("meta.score > 5 && meta.score < 10", ios);
        assertMatches("meta.ratio > 0.5", ios);
        assertMatches("meta.score > 6.5", ios);
        assertMatches("\"staff\" in meta.tags", ios);
        assertMatches("meta.nested.level == 2", ios);
        assertMatches("meta.nothing == null", ios);
        assertMatches("size(meta) == 0", plain);
        assertMatches("!has(meta.device)", plain);
        assertMatches("has(meta.device) && !has(meta.os)", ios);
    }

    @Test
    void missingMetaKeyIsNoMatchNotAnError() {
        ConnectionExpression e = ConnectionExpression.compile("meta.os == \"ios\"");
        assertFalse(e.matches(ios));
        assertFalse(e.matches(plain));
        // A dyn value of the wrong type is a runtime error as well: no match.
        assertFalse(ConnectionExpression.compile("meta.device > 3").matches(ios));
        assertFalse(ConnectionExpression.compile("meta.device.level == 1").matches(ios));
        // CEL's || and && absorb an error when the other side decides.
        assertMatches("meta.os == \"ios\" || user == \"42\"", ios);
        assertMatches("has(meta.os) && meta.os == \"ios\"");
    }

    @Test
    void documentedExamplesCompileAndRun() {
        assertMatches("connected_at < int(timestamp(\"2100-01-01T00:00:00Z\")) * 1000", ios, plain);
        assertMatches("meta.tags.exists(t, t == \"beta\")", ios);
        assertMatches("transport.startsWith(\"uni_\") && protocol == \"json\"");
        assertMatches("has(meta.device) && meta.device != \"android\"", ios);
        assertMatches("user in [\"42\", \"43\"] && app_name == \"terminal\"", ios);
    }

    @Test
    void metaThatIsNotAnObjectIsAnEmptyMap() {
        testNode.connectToken("cel-array", new ConnectToken("44", 0, 0, null, null, bytes("[1,2]"),
                List.of(), Map.of()));
        testNode.connectToken("cel-broken", new ConnectToken("45", 0, 0, null, null, bytes("{\"a\":"),
                List.of(), Map.of()));
        testNode.connectToken("cel-truncated", new ConnectToken("46", 0, 0, null, null, bytes("{\"a\":[1,"),
                List.of(), Map.of()));
        ConnectionExpression e = ConnectionExpression.compile("size(meta) == 0");
        assertTrue(e.matches(connect(new FakeTransport(), "cel-array", "x", "")));
        assertTrue(e.matches(connect(new FakeTransport(), "cel-broken", "x", "")));
        assertTrue(e.matches(connect(new FakeTransport(), "cel-truncated", "x", "")));
    }

    @Test
    void metaNumbersNestingAndNulls() {
        testNode.connectToken("cel-numbers", new ConnectToken("47", 0, 0, null, null,
                bytes("{\"big\":123456789012345678901234567890,\"neg\":-3,\"exp\":1e3,"
                        + "\"deep\":{\"list\":[[1,2],[3,{\"x\":true}]]},\"n\":null}"), List.of(), Map.of()));
        ClientSession s = connect(new FakeTransport(), "cel-numbers", "x", "");
        for (String expression : List.of("meta.big > 1.0e29", "meta.neg == -3", "meta.exp == 1000.0",
                "meta.exp == 1000", "meta.deep.list[1][1].x", "meta.deep.list.exists(l, 2 in l)",
                "meta.n == null", "type(meta.neg) == int", "type(meta.exp) == double")) {
            assertTrue(ConnectionExpression.compile(expression).matches(s), expression);
        }
    }

    @Test
    void transportAndProtocolOfOtherConnections() {
        FakeTransport uni = new FakeTransport("uni_http_stream", Protocol.JSON, true);
        ClientSession stream = node.newSession(uni);
        stream.handleUniConnect(new Request.Connect("cel-plain", null, Map.of(), "terminal", "", Map.of()));
        assertTrue(stream.connected());
        assertTrue(ConnectionExpression.compile("transport == \"uni_http_stream\" && app_name == \"terminal\"")
                .matches(stream));
        ClientSession proto = node.newSession(new FakeTransport("websocket", Protocol.PROTOBUF, false));
        assertTrue(ConnectionExpression.compile("protocol == \"protobuf\"").matches(proto));
        assertFalse(ConnectionExpression.compile("protocol == \"protobuf\"").matches(ios));
    }

    @Test
    void typeErrorIs107WithCelMessage() {
        ErrorException e = compileError("user + 1 == \"x\"");
        assertEquals(107, e.error().code());
        assertFalse(e.error().temporary());
        assertTrue(e.error().message().contains("found no matching overload for '_+_' applied to '(string, int)'"),
                e.error().message());
    }

    @Test
    void undeclaredVariableIs107() {
        ErrorException e = compileError("nickname == \"x\"");
        assertEquals(107, e.error().code());
        assertTrue(e.error().message().contains("undeclared reference to 'nickname'"), e.error().message());
    }

    @Test
    void syntaxErrorIs107WithCelMessage() {
        ErrorException e = compileError("user == ");
        assertEquals(107, e.error().code());
        assertTrue(e.error().message().startsWith("ERROR: <input>:1:9: mismatched input '<EOF>'"),
                e.error().message());
        assertEquals(107, compileError("").error().code());
    }

    @Test
    void nonBoolResultIs107() {
        for (String expression : List.of("user", "connected_at + 1", "channels")) {
            ErrorException e = compileError(expression);
            assertEquals(107, e.error().code(), expression);
            assertTrue(e.error().message().contains("expected type 'bool' but found"), e.error().message());
        }
    }

    @Test
    void tooLongIs107() {
        String longest = "user == \"" + "x".repeat(4096 - 10) + "\"";
        assertEquals(4096, longest.length());
        assertFalse(ConnectionExpression.compile(longest).matches(ios));
        ErrorException e = compileError(longest + " ");
        assertEquals(107, e.error().code());
        assertEquals("expression is too long: 4097 bytes, the limit is 4096", e.error().message());
        assertEquals(107, assertThrows(ErrorException.class, () -> ConnectionExpression.compile(null)).error().code());
    }

    @Test
    void deepNestingIsRefused() {
        String deep = "(".repeat(500) + "user == \"42\"" + ")".repeat(500);
        ErrorException e = compileError(deep);
        assertEquals(107, e.error().code());
        assertTrue(e.error().message().contains("Expression recursion limit exceeded. limit: 64"),
                e.error().message());
        // Wide but shallow expressions stay fine: a long || chain and a big list literal.
        String chain = IntStream.range(100, 300).mapToObj(i -> "user == \"" + i + "\"")
                .collect(Collectors.joining(" || "));
        assertMatches(chain + " || user == \"42\"", ios);
        String list = IntStream.range(0, 400).mapToObj(i -> "\"" + i + "\"")
                .collect(Collectors.joining(",", "user in [", "]"));
        assertMatches(list, ios, plain);
    }

    @Test
    void hugeComprehensionIsBoundedToNoMatch() {
        String range = IntStream.range(0, 100).mapToObj(Integer::toString)
                .collect(Collectors.joining(",", "[", "]"));
        // 100^3 = a million iterations: stopped at the iteration cap, so the connection does not match.
        ConnectionExpression e = ConnectionExpression.compile(
                range + ".all(a, " + range + ".all(b, " + range + ".all(c, a + b + c >= 0)))");
        assertFalse(e.matches(ios));
        assertTrue(e.stepsUsed() < 100_000, "steps " + e.stepsUsed());
        // The same shape within the caps evaluates normally.
        assertMatches("[1, 2, 3].all(a, [1, 2, 3].all(b, a + b > 0))", ios, plain);
    }

    @Test
    void perConnectionStepBudgetIsNoMatch() {
        var limits = new ConnectionExpression.Limits(4096, 64, 1_000, 50, 1_000_000);
        ConnectionExpression small = ConnectionExpression.compile("channels.all(c, c != \"\")", limits);
        assertTrue(small.matches(ios));
        ConnectionExpression big = ConnectionExpression.compile(
                "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, a * b > 0))", limits);
        assertFalse(big.matches(ios));
        // Exhaustion wins over CEL's error-absorbing ||: the true branch cannot rescue the evaluation.
        ConnectionExpression absorbed = ConnectionExpression.compile(
                "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, a * b > 0)) || user == \"42\"", limits);
        assertFalse(absorbed.matches(ios));
    }

    @Test
    void callBudgetFailsTheCallWith106() {
        var limits = new ConnectionExpression.Limits(4096, 64, 1_000, 10_000, 200);
        ConnectionExpression e = ConnectionExpression.compile("channels.exists(c, c.startsWith(\"chat:\"))", limits);
        ErrorException error = assertThrows(ErrorException.class, () -> {
            for (int i = 0; i < 1_000; i++) {
                e.matches(ios);
            }
        });
        assertEquals(106, error.error().code());
        assertTrue(e.stepsUsed() <= 200, "steps " + e.stepsUsed());
    }

    @Test
    void scanOverManyConnections() {
        List<ClientSession> sessions = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            String token = "cel-scan-" + i;
            testNode.connectToken(token, new ConnectToken("u" + (i % 500), 0, IAT, "j" + i, null,
                    bytes("{\"device\":\"" + (i % 4 == 0 ? "ios" : "android") + "\",\"n\":" + i + "}"),
                    List.of(), Map.of()));
            sessions.add(connect(new FakeTransport(), token, "app", "1"));
        }
        // Each round is one API call: compile, then evaluate every connection once (the meta cache cannot hit).
        // Printed for the benchmark report, not asserted: timings depend on the machine.
        StringBuilder report = new StringBuilder();
        for (int round = 0; round < 5; round++) {
            long started = System.nanoTime();
            ConnectionExpression e = ConnectionExpression.compile(
                    "meta.device == \"ios\" && meta.n >= 1000 && user.startsWith(\"u\")");
            long compiled = System.nanoTime();
            long matched = sessions.stream().filter(e::matches).count();
            long done = System.nanoTime();
            assertEquals(250, matched);
            report.append(String.format(" [compile %d us, scan %d us = %.2f us/connection, %d steps]",
                    (compiled - started) / 1_000, (done - compiled) / 1_000,
                    (done - compiled) / 1_000.0 / sessions.size(), e.stepsUsed()));
        }
        System.out.println("CEL scan of " + sessions.size() + " connections, per round:" + report);
    }
}
