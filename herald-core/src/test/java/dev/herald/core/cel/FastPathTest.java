package dev.herald.core.cel;

import dev.herald.core.Node;
import dev.herald.core.auth.ConnectToken;
import dev.herald.core.client.ClientSession;
import dev.herald.core.config.HeraldConfig;
import dev.herald.core.testing.FakeTransport;
import dev.herald.core.testing.TestNode;
import dev.herald.protocol.Protocol;
import dev.herald.protocol.Request;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FastPath} against cel-java's interpreter: for many expressions over sessions whose meta values have every
 * JSON type (and missing keys), the match and the steps counted must be identical; and the meta cache on the
 * session.
 */
class FastPathTest {
    private TestNode testNode;
    private Node node;
    private final List<ClientSession> sessions = new ArrayList<>();

    /** Meta values of every shape for the same keys: the fast path must agree or hand over to the interpreter. */
    private static final String[] METAS = {
        "{\"shard\":7,\"device\":\"ios\",\"beta\":true,\"nested\":{\"level\":2,\"name\":\"x\"}}",
        "{\"shard\":8,\"device\":\"android\",\"beta\":false,\"nested\":{\"level\":3}}",
        "{\"shard\":7.0,\"device\":7,\"beta\":\"true\",\"nested\":[1,2]}",
        "{\"shard\":\"7\",\"device\":null,\"beta\":1,\"nested\":\"level\"}",
        "{\"shard\":-7,\"device\":\"\",\"nested\":{}}",
        "{\"shard\":123456789012345678901234567890,\"device\":[\"ios\"],\"beta\":null}",
        "{\"shard\":9223372036854775807,\"device\":{\"ios\":true},\"beta\":0.0}",
        "{\"other\":1}",
        "{}",
        "[1,2]",
        "{\"shard\":",
        null,
    };

    @BeforeEach
    void setUp() {
        HeraldConfig config = new HeraldConfig();
        HeraldConfig.Namespace chat = new HeraldConfig.Namespace();
        chat.name = "chat";
        chat.allowSubscribeForClient = true;
        config.channel.namespaces.add(chat);
        testNode = new TestNode(config);
        node = testNode.node;
        for (int i = 0; i < METAS.length * 2; i++) {
            String meta = METAS[i % METAS.length];
            String token = "fp-" + i;
            String user = i % 5 == 4 ? "" : "u" + (i % 3);
            testNode.connectToken(token, new ConnectToken(user, 0, i % 2 == 0 ? 1_700_000_000L + i : 0,
                    i % 2 == 0 ? "jti-" + i : null, null, meta == null ? null : bytes(meta), List.of(), Map.of()));
            ClientSession s = node.newSession(new FakeTransport());
            s.handleFrame(bytes("{\"id\":1,\"connect\":{\"token\":\"" + token + "\",\"name\":\""
                    + (i % 2 == 0 ? "terminal" : "web") + "\",\"version\":\"1." + i + "\"}}"));
            if (i % 3 != 2) {
                s.handleFrame(bytes("{\"id\":2,\"subscribe\":{\"channel\":\"chat:a\"}}"));
            }
            if (i % 4 == 1) {
                s.handleFrame(bytes("{\"id\":3,\"subscribe\":{\"channel\":\"chat:b\"}}"));
            }
            assertTrue(s.connected(), token);
            sessions.add(s);
        }
        ClientSession uni = node.newSession(new FakeTransport("uni_http_stream", Protocol.JSON, true));
        uni.handleUniConnect(new Request.Connect("fp-0", null, Map.of(), "terminal", "", Map.of()));
        assertTrue(uni.connected());
        sessions.add(uni);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Atoms the fast path covers (and a few it hands over per connection because of the value's type). */
    private static final List<String> ATOMS = List.of(
            "user == \"u1\"", "user != \"u1\"", "user == \"\"", "client == \"nope\"", "client != \"\"",
            "transport == \"websocket\"", "protocol == \"json\"", "transport != \"uni_http_stream\"",
            "app_name == \"terminal\"",
            "app_version == \"1.3\"", "token_uid == \"jti-4\"", "token_uid == \"\"",
            "token_issued_at > 1700000005", "token_issued_at == 0", "connected_at > 0", "connected_at < 1000",
            "meta.shard == 7", "meta.shard != 7", "meta.shard < 10", "meta.shard <= 7", "meta.shard > 7",
            "meta.shard >= -7", "7 == meta.shard", "meta.device == \"ios\"", "meta.device != \"ios\"",
            "meta.beta == true", "meta.beta", "!meta.beta", "meta.nested.level == 2", "has(meta.nested.level)",
            "has(meta.device)", "!has(meta.shard)", "meta.device.startsWith(\"i\")",
            "meta.device.endsWith(\"os\")", "meta.device.contains(\"droi\")", "user.startsWith(\"u\")",
            "app_version.startsWith(\"1.1\")", "\"chat:a\" in channels", "\"chat:b\" in channels",
            "!(\"chat:a\" in channels)", "meta.device in channels", "user in [\"u0\", \"u2\"]",
            "meta.device in [\"ios\", \"android\"]", "app_name in []", "true", "false", "1 == 1", "\"a\" != \"a\"");

    @Test
    void fastPathAgreesWithTheInterpreter() {
        Set<String> expressions = new LinkedHashSet<>(ATOMS);
        for (String a : ATOMS) {
            expressions.add("!(" + a + ")");
        }
        Random random = new Random(42);
        for (int i = 0; i < 300; i++) {
            String a = ATOMS.get(random.nextInt(ATOMS.size()));
            String b = ATOMS.get(random.nextInt(ATOMS.size()));
            String c = ATOMS.get(random.nextInt(ATOMS.size()));
            expressions.add(switch (i % 6) {
                case 0 -> a + " && " + b;
                case 1 -> a + " || " + b;
                case 2 -> a + " && " + b + " && " + c;
                case 3 -> "(" + a + " || " + b + ") && " + c;
                case 4 -> a + " || !(" + b + " && " + c + ")";
                default -> "!(" + a + ") || " + b + " || " + c;
            });
        }
        int fast = 0;
        int handled = 0;
        int bailed = 0;
        for (String expression : expressions) {
            ConnectionExpression viaMatches = ConnectionExpression.compile(expression);
            ConnectionExpression interpreted = ConnectionExpression.compile(expression);
            assertTrue(viaMatches.hasFastPath(), expression);
            fast++;
            for (ClientSession s : sessions) {
                int outcome = viaMatches.fastOutcome(s);
                boolean want = interpreted.matchesInterpreted(s);
                boolean got = viaMatches.matches(s);
                String where = expression + " on " + s.user() + " meta " + (s.meta() == null ? null
                        : new String(s.meta(), StandardCharsets.UTF_8));
                assertEquals(want, got, where);
                assertEquals(interpreted.stepsUsed(), viaMatches.stepsUsed(), "steps of " + where);
                if (outcome == FastPath.BAIL) {
                    bailed++;
                } else {
                    handled++;
                    assertEquals(want, outcome == FastPath.TRUE, where);
                }
            }
        }
        System.out.printf("fast path: %d expressions, %d evaluations handled natively, %d handed over%n",
                fast, handled, bailed);
        // The meta values above are adversarial (every JSON type under every key); real ones hand over far less.
        assertTrue(handled > 3 * bailed, handled + " handled, " + bailed + " handed over");
    }

    @Test
    void everyOperatorAgreesWithTheInterpreterWithEitherOperandOrder() {
        for (String expression : List.of("1 < meta.shard", "7 <= meta.shard", "8 > meta.shard",
                "-7 >= meta.shard", "meta.shard < meta.nested.level", "meta.nested.level >= meta.shard",
                "\"ios\" != meta.device", "true == meta.beta", "meta.beta != meta.beta", "\"u0\".startsWith(user)",
                "\"terminal\".contains(app_name)", "meta.device.endsWith(meta.device)", "\"a\" == \"a\"")) {
            ConnectionExpression fast = ConnectionExpression.compile(expression);
            ConnectionExpression interpreted = ConnectionExpression.compile(expression);
            assertTrue(fast.hasFastPath(), expression);
            for (ClientSession s : sessions) {
                assertEquals(interpreted.matchesInterpreted(s), fast.matches(s), expression);
                assertEquals(interpreted.stepsUsed(), fast.stepsUsed(), "steps of " + expression);
            }
        }
    }

    @Test
    void uncoveredShapesUseTheInterpreter() {
        for (String expression : List.of("channels.exists(c, c.startsWith(\"chat:\"))", "size(channels) > 1",
                "meta.score > 6.5", "meta.nothing == null", "user.matches(\"^u[0-9]$\")",
                "subscription_tokens[\"news\"].uid == \"a\"", "user == \"a\" ? true : false", "7u == 7u",
                "meta.shard == 7 && size(meta) > 0", "[user][0] == \"u1\"", "user + \"x\" == \"u1x\"")) {
            ConnectionExpression e = ConnectionExpression.compile(expression);
            assertFalse(e.hasFastPath(), expression);
            ConnectionExpression reference = ConnectionExpression.compile(expression);
            for (ClientSession s : sessions) {
                assertEquals(reference.matchesInterpreted(s), e.matches(s), expression);
            }
        }
    }

    @Test
    void commonShapesAreHandledWithoutTheInterpreter() {
        ClientSession s = sessions.getFirst(); // u0, meta shard 7 device ios, in chat:a
        for (String expression : List.of("meta.shard == 7", "user == \"u0\"", "\"chat:a\" in channels",
                "\"chat:a\" in channels && meta.shard < 10", "has(meta.os) && meta.os == \"x\" || user == \"u0\"")) {
            ConnectionExpression e = ConnectionExpression.compile(expression);
            assertEquals(FastPath.TRUE, e.fastOutcome(s), expression);
            assertTrue(e.matches(s), expression);
        }
        assertEquals(FastPath.FALSE, ConnectionExpression.compile("meta.os == \"x\"").fastOutcome(s));
    }

    @Test
    void budgetsStayTheSame() {
        // A call budget smaller than the expression: the interpreter decides (106), as before.
        var tiny = new ConnectionExpression.Limits(4096, 64, 1_000, 10_000, 5);
        ConnectionExpression e = ConnectionExpression.compile("user == \"u0\" && meta.shard == 7", tiny);
        assertThrows(dev.herald.core.codes.ErrorException.class, () -> {
            for (ClientSession s : sessions) {
                e.matches(s);
            }
        });
        assertTrue(e.stepsUsed() <= 5, "steps " + e.stepsUsed());
        // A per-connection budget smaller than the expression: no match, never the fast path's answer.
        var perConnection = new ConnectionExpression.Limits(4096, 64, 1_000, 3, 1_000_000);
        ConnectionExpression small = ConnectionExpression.compile("user == \"u0\" && meta.shard == 7",
                perConnection);
        for (ClientSession s : sessions) {
            assertFalse(small.matches(s));
        }
    }

    @Test
    void validExpressionsAreCompiledOnceAndCallsKeepTheirOwnBudget() {
        ConnectionExpression first = ConnectionExpression.compile("user == \"u0\" && meta.shard == 7");
        ConnectionExpression second = ConnectionExpression.compile("user == \"u0\" && meta.shard == 7");
        assertTrue(first.sharesProgramWith(second));
        for (ClientSession s : sessions) {
            first.matches(s);
        }
        assertTrue(first.stepsUsed() > 0);
        assertEquals(0, second.stepsUsed());
        // Other limits, long sources and errors are not cached.
        var limits = new ConnectionExpression.Limits(4096, 64, 1_000, 10_000, 1_000);
        assertFalse(ConnectionExpression.compile("user == \"u0\" && meta.shard == 7", limits).sharesProgramWith(first));
        String longest = "user == \"" + "x".repeat(600) + "\"";
        assertFalse(ConnectionExpression.compile(longest).sharesProgramWith(ConnectionExpression.compile(longest)));
        for (int i = 0; i < 2; i++) {
            assertEquals(107, assertThrows(dev.herald.core.codes.ErrorException.class,
                    () -> ConnectionExpression.compile("user ==")).error().code());
        }
    }

    @Test
    void metaIsParsedOnceAndOnlyWhenRead() {
        ClientSession s = sessions.getFirst();
        assertNull(s.parsedMeta());
        assertTrue(ConnectionExpression.compile("user == \"u0\"").matches(s));
        assertNull(s.parsedMeta(), "an expression that does not read meta leaves the slot empty");
        assertTrue(ConnectionExpression.compile("meta.shard == 7").matches(s));
        Object slot = s.parsedMeta();
        assertNotNull(slot);
        Map<String, Object> first = SessionMeta.of(s);
        assertTrue(ConnectionExpression.compile("meta.nested.level == 2").matches(s));
        assertTrue(ConnectionExpression.compile("meta.tags.exists(t, t == 1) || meta.shard == 7").matches(s));
        assertSame(slot, s.parsedMeta(), "later calls, interpreted or not, reuse the parsed value");
        assertSame(first, SessionMeta.of(s));
        // No meta: nothing is stored either.
        ClientSession none = sessions.get(METAS.length - 1);
        assertNull(none.meta());
        assertFalse(ConnectionExpression.compile("has(meta.shard)").matches(none));
        assertNull(none.parsedMeta());
        assertNotEquals(0, first.size());
    }
}
