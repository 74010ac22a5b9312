package dev.herald.server.api;

import dev.herald.core.testing.FakeTransport;
import dev.herald.core.testing.TestNode;

import dev.herald.core.client.ClientSession;
import dev.herald.core.codes.Disconnect;
import dev.herald.core.config.HeraldConfig;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiHttpServiceTest {
    private static final String KEY = "secret-api-key";

    private TestNode t;
    private ApiHttpService service;

    /** What a call got back: status, content type and body. */
    record Answer(int status, String contentType, String body) {
    }

    private void start(HeraldConfig config) {
        t = new TestNode(config);
        service = new ApiHttpService(t.api, t.config);
    }

    private void start() {
        HeraldConfig config = new HeraldConfig();
        config.httpApi.key = KEY;
        HeraldConfig.Namespace history = new HeraldConfig.Namespace();
        history.name = "hist";
        history.historySize = 10;
        history.historyTtl = Duration.ofMinutes(1);
        config.channel.namespaces.add(history);
        start(config);
    }

    @AfterEach
    void close() {
        if (t != null) {
            t.close();
        }
    }

    private Answer call(HttpMethod method, String uri, String body, String... headers) throws Exception {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        for (int i = 0; i < headers.length; i += 2) {
            request.headers().set(headers[i], headers[i + 1]);
        }
        var stage = service.handle(request);
        request.release();
        FullHttpResponse response = stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
        try {
            return new Answer(response.status().code(), response.headers().get(HttpHeaderNames.CONTENT_TYPE),
                    response.content().toString(StandardCharsets.UTF_8));
        } finally {
            response.release();
        }
    }

    private Answer post(String uri, String body) throws Exception {
        return call(HttpMethod.POST, uri, body, "X-API-Key", KEY);
    }

    private Answer legacy(String body) throws Exception {
        return call(HttpMethod.POST, "/api", body, "Authorization", "apikey " + KEY);
    }

    // ---- the seed walkthrough: two curl connections of user 42 named "terminal" ----

    @Test
    void seedWalkthroughShapesForConnectionsUserConnectionsAndGetUserConnections() throws Exception {
        start();
        t.connectToken("seed-token", "42", "", 0, null, List.of());
        ClientSession a = t.connectUni("seed-token", "terminal");
        ClientSession b = t.connectUni("seed-token", "terminal");
        String entry = "{\"app_name\":\"terminal\",\"transport\":\"uni_http_stream\",\"protocol\":\"json\"}";

        Answer connections = legacy("{\"method\": \"connections\", \"params\": {\"user\": \"42\"}}");
        assertEquals(200, connections.status());
        assertEquals("application/json", connections.contentType());
        assertEquals("{\"result\":{\"connections\":{\"" + a.id() + "\":" + entry + ",\"" + b.id() + "\":" + entry
                + "}}}", connections.body());

        Answer userConnections = legacy("{\"method\": \"user_connections\", \"params\": {\"user\": \"42\"}}");
        assertEquals(connections.body(), userConnections.body(), "flat and state shapes agree when state is empty");

        Answer rpc = legacy("{\"method\": \"rpc\", \"params\": {\"method\": \"getUserConnections\", "
                + "\"params\": {\"user\": \"42\"}}}");
        assertEquals("{\"result\":{\"data\":{\"" + a.id() + "\":" + entry + ",\"" + b.id() + "\":" + entry
                + "}}}", rpc.body());
    }

    @Test
    void fullSessionStateGoldenShapes() throws Exception {
        start();
        t.connectToken("rich", "42", "jti-1", 1712340000, "{\"device\": \"phone\", \"n\": [1, 2]}",
                List.of("news"));
        t.connectToken("plain", "42", "", 0, null, List.of());
        t.subscribeToken("sub", "42", "$secret", "sub-jti", 1712340001);
        ClientSession rich = t.connectBidi("websocket", "rich", "terminal", "1.0");
        TestNode.send(rich, "{\"id\":2,\"subscribe\":{\"channel\":\"$secret\",\"token\":\"sub\"}}");
        ClientSession plain = t.connectUni("plain", "");

        assertEquals("{\"result\":{\"connections\":{"
                + "\"" + rich.id() + "\":{\"app_name\":\"terminal\",\"app_version\":\"1.0\","
                + "\"transport\":\"websocket\",\"protocol\":\"json\",\"state\":{\"channels\":[\"$secret\",\"news\"],"
                + "\"connection_token\":{\"uid\":\"jti-1\",\"issued_at\":1712340000},"
                + "\"subscription_tokens\":{\"$secret\":{\"uid\":\"sub-jti\",\"issued_at\":1712340001}},"
                + "\"meta\":{\"device\": \"phone\", \"n\": [1, 2]}}},"
                + "\"" + plain.id() + "\":{\"transport\":\"uni_http_stream\",\"protocol\":\"json\"}}}}",
                post("/api/connections", "{\"user\":\"42\"}").body());

        String flat = "{\"" + rich.id() + "\":{\"app_name\":\"terminal\",\"app_version\":\"1.0\","
                + "\"transport\":\"websocket\",\"protocol\":\"json\",\"token_uid\":\"jti-1\","
                + "\"token_issued_at\":1712340000,\"meta\":{\"device\": \"phone\", \"n\": [1, 2]}},"
                + "\"" + plain.id() + "\":{\"transport\":\"uni_http_stream\",\"protocol\":\"json\"}}";
        assertEquals("{\"result\":{\"connections\":" + flat + "}}",
                post("/api/user_connections", "{\"user\":\"42\"}").body());
        assertEquals("{\"result\":{\"data\":" + flat + "}}",
                post("/api/rpc", "{\"method\":\"getUserConnections\",\"params\":{\"user\":\"42\"}}").body());
        assertTrue(TestNode.transport(rich).written().stream().noneMatch(f -> f.contains("phone")),
                "meta never reaches the client");
    }

    @Test
    void sessionsErrors() throws Exception {
        start();
        assertEquals("{\"result\":{\"connections\":{}}}", post("/api/connections", "{\"user\":\"nobody\"}").body());
        assertEquals("{\"error\":{\"code\":107,\"message\":\"bad request\"}}", post("/api/connections", "{}").body());
        assertEquals("{\"result\":{\"connections\":{}}}",
                post("/api/connections", "{\"expression\":\"user == '42'\"}").body());
        assertTrue(post("/api/connections", "{\"expression\":\"user ==\"}").body()
                .startsWith("{\"error\":{\"code\":107,\"message\":\"ERROR: <input>:1:"));
        assertEquals("{\"error\":{\"code\":107,\"message\":\"bad request\"}}",
                post("/api/user_connections", "{}").body());
        assertEquals("{\"error\":{\"code\":104,\"message\":\"not found\"}}",
                post("/api/rpc", "{\"method\":\"nope\"}").body());
        assertEquals("{\"error\":{\"code\":107,\"message\":\"bad request\"}}", post("/api/rpc", "{}").body());
    }

    @Test
    void connectionsPagingReturnsOpaqueCursor() throws Exception {
        start();
        t.connectToken("tok", "42", "", 0, null, List.of());
        ClientSession a = t.connectUni("tok", "terminal");
        ClientSession b = t.connectUni("tok", "terminal");
        List<String> ids = java.util.stream.Stream.of(a.id(), b.id()).sorted().toList();

        String first = post("/api/connections", "{\"user\":\"42\",\"limit\":1}").body();
        assertTrue(first.contains(ids.get(0)) && !first.contains(ids.get(1)), first);
        String cursor = first.replaceAll(".*\"next_cursor\":\"([^\"]+)\".*", "$1");
        String second = post("/api/connections", "{\"user\":\"42\",\"limit\":1,\"cursor\":\"" + cursor + "\"}").body();
        assertTrue(second.contains(ids.get(1)) && !second.contains("next_cursor"), second);
    }

    // ---- publish, broadcast, disconnect ----

    @Test
    void publishKeepsRawDataAndReportsPosition() throws Exception {
        start();
        t.connectToken("tok", "42", "", 0, null, List.of("news"));
        ClientSession s = t.connectBidi("websocket", "tok", "terminal", null);
        String data = "{\"a\" : \"\\u00e9\",  \"n\": 1.50}";

        assertEquals("{\"result\":{}}", post("/api/publish", "{\"channel\":\"news\",\"data\":" + data + "}").body());
        assertTrue(TestNode.transport(s).written().stream().anyMatch(f -> f.contains("\"data\":" + data)),
                () -> TestNode.transport(s).written().toString());

        String withHistory = post("/api/publish", "{\"channel\":\"hist:x\",\"data\":1}").body();
        assertTrue(withHistory.matches("\\{\"result\":\\{\"offset\":1,\"epoch\":\"[A-Za-z0-9]{4}\"}}"), withHistory);
        String history = post("/api/history", "{\"channel\":\"hist:x\",\"limit\":-1}").body();
        assertTrue(history.matches("\\{\"result\":\\{\"publications\":\\[\\{\"data\":1,\"offset\":1}],"
                + "\"epoch\":\"[A-Za-z0-9]{4}\",\"offset\":1}}"), history);
        assertEquals("{\"error\":{\"code\":102,\"message\":\"unknown channel\"}}",
                post("/api/publish", "{\"channel\":\"nope:x\",\"data\":1}").body());
    }

    @Test
    void broadcastRepliesPerChannel() throws Exception {
        start();
        assertEquals("{\"result\":{\"responses\":[{\"result\":{}},{\"error\":{\"code\":102,"
                        + "\"message\":\"unknown channel\"}},{\"result\":{\"offset\":1,\"epoch\":\"E\"}}]}}",
                post("/api/broadcast", "{\"channels\":[\"a\",\"nope:b\",\"hist:c\"],\"data\":{}}").body()
                        .replaceAll("\"epoch\":\"[A-Za-z0-9]{4}\"", "\"epoch\":\"E\""));
    }

    @Test
    void disconnectThenGone() throws Exception {
        start();
        t.connectToken("tok", "42", "", 0, null, List.of());
        ClientSession a = t.connectUni("tok", "terminal");
        ClientSession b = t.connectUni("tok", "terminal");

        assertEquals("{\"result\":{}}", legacy("{\"method\":\"disconnect\",\"params\":{\"user\":\"42\","
                + "\"whitelist\":[\"" + b.id() + "\"],\"disconnect\":{\"code\":4500,\"reason\":\"bye\"}}}").body());

        assertEquals(new Disconnect(4500, "bye"), TestNode.transport(a).closedWith());
        assertNull(TestNode.transport(b).closedWith());
        String left = post("/api/connections", "{\"user\":\"42\"}").body();
        assertTrue(left.contains(b.id()) && !left.contains(a.id()), left);

        post("/api/disconnect", "{\"client\":\"" + b.id() + "\"}");
        assertEquals(Disconnect.FORCE_DISCONNECT, TestNode.transport(b).closedWith());
        assertEquals("{\"result\":{\"connections\":{}}}", post("/api/connections", "{\"user\":\"42\"}").body());
    }

    @Test
    void subscribeThenListedInState() throws Exception {
        start();
        t.connectToken("tok", "42", "", 0, null, List.of());
        ClientSession s = t.connectUni("tok", "terminal");

        assertEquals("{\"result\":{}}", post("/api/subscribe", "{\"user\":\"42\",\"channel\":\"news\","
                + "\"data\":{\"hello\":true},\"override\":{\"presence\":{\"value\":true}}}").body());

        assertTrue(s.subscriptions().get("news").presence());
        assertEquals("{\"channel\":\"news\",\"subscribe\":{\"data\":{\"hello\":true}}}",
                TestNode.transport(s).written().getLast());
        assertEquals("{\"result\":{\"connections\":{\"" + s.id() + "\":{\"app_name\":\"terminal\","
                + "\"transport\":\"uni_http_stream\",\"protocol\":\"json\",\"state\":{\"channels\":[\"news\"]}}}}}",
                post("/api/connections", "{\"user\":\"42\"}").body());
    }

    @Test
    void infoAndChannels() throws Exception {
        start();
        t.connectToken("tok", "42", "", 0, null, List.of("news"));
        t.connectBidi("websocket", "tok", "terminal", null);
        String info = legacy("{\"method\":\"info\",\"params\":{}}").body();
        assertTrue(info.matches("\\{\"result\":\\{\"nodes\":\\[\\{\"uid\":\"[0-9a-f-]{36}\",\"name\":\"test_8000\","
                + "\"version\":\"0.1.0\",\"num_clients\":1,\"num_users\":1,\"num_channels\":1,"
                + "(\"uptime\":\\d+,)?\"num_subs\":1}]}}"), info);
        assertEquals("{\"result\":{\"channels\":{\"news\":{\"num_clients\":1}}}}",
                post("/api/channels", "{\"pattern\":\"n*\"}").body());
        assertEquals("{\"result\":{\"channels\":{}}}", post("/api/channels", "{\"pattern\":\"x?\"}").body());
    }

    // ---- batch and legacy multi-command bodies ----

    @Test
    void batchRepliesInOrder() throws Exception {
        start();
        String body = "{\"commands\":[{\"publish\":{\"channel\":\"a\",\"data\":{}}},"
                + "{\"broadcast\":{\"channels\":[\"a\"],\"data\":{}}},{\"nope\":{}},null,"
                + "{\"presence\":{\"channel\":5}},{\"info\":{}}],\"parallel\":true}";
        String replies = post("/api/batch", body).body();
        assertTrue(replies.startsWith("{\"result\":{\"replies\":[{\"publish\":{}},"
                + "{\"broadcast\":{\"responses\":[{\"result\":{}}]}},"
                + "{\"error\":{\"code\":104,\"message\":\"not found\"}},"
                + "{\"error\":{\"code\":107,\"message\":\"bad request\"}},"
                + "{\"error\":{\"code\":107,\"message\":\"bad request\"}},"
                + "{\"info\":{\"nodes\":[{"), replies);
    }

    @Test
    void legacyNewlineDelimitedCommandsGetNewlineDelimitedReplies() throws Exception {
        start();
        String body = "{\"id\":1,\"method\":\"PUBLISH\",\"params\":{\"channel\":\"a\",\"data\":{}}}\n"
                + "{\"id\":2,\"method\":\"nope\",\"params\":{}}\n"
                + "{\"id\":3,\"method\":\"presence_stats\",\"params\":{\"channel\":[]}}\n"
                + "{\"method\":5,\"params\":{\"channel\":\"a\"}}\n"
                + "{\"id\":4,\"method\":8,\"params\":{}}\n";
        Answer answer = legacy(body);
        assertEquals(200, answer.status());
        assertEquals(String.join("\n",
                "{\"id\":1,\"result\":{}}",
                "{\"id\":2,\"error\":{\"code\":104,\"message\":\"not found\"}}",
                "{\"id\":3,\"error\":{\"code\":107,\"message\":\"bad request\"}}",
                "{\"error\":{\"code\":108,\"message\":\"not available\"}}",
                "{\"id\":4,\"result\":{\"channels\":{}}}"), answer.body());
    }

    // ---- HTTP-level checks ----

    @Test
    void authVariants() throws Exception {
        start();
        String body = "{}";
        Answer missing = call(HttpMethod.POST, "/api/info", body);
        assertEquals(401, missing.status());
        assertEquals("", missing.body());
        assertEquals(401, call(HttpMethod.POST, "/api/info", body, "X-API-Key", "wrong").status());
        assertEquals(401, call(HttpMethod.POST, "/api/info", body, "Authorization", "bearer " + KEY).status());
        assertEquals(401, call(HttpMethod.POST, "/api/info", body, "Authorization", "apikey wrong").status());
        assertEquals(200, call(HttpMethod.POST, "/api/info", body, "X-API-Key", KEY).status());
        assertEquals(200, call(HttpMethod.POST, "/api/info", body, "Authorization", "ApiKey " + KEY).status());
        assertEquals(200, call(HttpMethod.POST, "/api/info?api_key=" + KEY, body).status());
        assertEquals(200, call(HttpMethod.POST, "/api/info?api_key=" + KEY, body, "X-API-Key", "wrong").status());
    }

    @Test
    void emptyConfiguredKeyRefusesEverythingUnlessInsecure() throws Exception {
        HeraldConfig config = new HeraldConfig();
        start(config);
        assertEquals(401, call(HttpMethod.POST, "/api/info", "{}", "X-API-Key", "").status());
        assertEquals(401, call(HttpMethod.POST, "/api/info?api_key=", "{}").status());
        t.close();

        HeraldConfig insecure = new HeraldConfig();
        insecure.httpApi.insecure = true;
        start(insecure);
        assertEquals(200, call(HttpMethod.POST, "/api/info", "{}").status());
    }

    @Test
    void methodPathAndBodyChecks() throws Exception {
        start();
        Answer get = call(HttpMethod.GET, "/api/publish", "", "X-API-Key", KEY);
        assertEquals(405, get.status());
        assertEquals(405, call(HttpMethod.GET, "/api", "", "X-API-Key", KEY).status());
        assertEquals(404, post("/api/nope", "{}").status());

        Answer malformed = post("/api/publish", "{\"channel\":");
        assertEquals(400, malformed.status());
        assertTrue(malformed.contentType().startsWith("text/plain"));
        assertTrue(malformed.body().startsWith("malformed JSON"), malformed.body());

        Answer wrongType = post("/api/publish", "{\"channel\":5,\"data\":{}}");
        assertEquals(400, wrongType.status());
        assertEquals("field \"channel\" must be a string\n", wrongType.body());

        assertEquals(400, post("/api/publish", "[1]").status());
        assertEquals(400, legacy("").status());
        assertEquals(400, legacy("{\"method\":\"info\"} {oops").status());
        assertEquals(200, post("/api/info", "").status(), "an empty body is an empty params object");
    }

    @Test
    void oversizedBodyIs413() throws Exception {
        HeraldConfig config = new HeraldConfig();
        config.httpApi.key = KEY;
        config.httpApi.maxRequestBodySize = 64;
        start(config);
        String big = "{\"channel\":\"a\",\"data\":\"" + "x".repeat(100) + "\"}";
        assertEquals(413, post("/api/publish", big).status());
        assertEquals(413, legacy(big).status());
        assertEquals(200, post("/api/publish", "{\"channel\":\"a\",\"data\":1}").status());
    }

    @Test
    void transportErrorMode() throws Exception {
        start();
        Answer unknown = call(HttpMethod.POST, "/api/publish", "{\"channel\":\"nope:x\",\"data\":1}",
                "X-API-Key", KEY, "X-Centrifugo-Error-Mode", "transport");
        assertEquals(404, unknown.status());
        assertEquals("{\"code\":102,\"message\":\"unknown channel\"}", unknown.body());
        Answer bad = call(HttpMethod.POST, "/api/connections", "{}",
                "X-API-Key", KEY, "X-Centrifugo-Error-Mode", "transport");
        assertEquals(400, bad.status());
        Answer ok = call(HttpMethod.POST, "/api/publish", "{\"channel\":\"a\",\"data\":1}",
                "X-API-Key", KEY, "X-Centrifugo-Error-Mode", "transport");
        assertEquals("{\"result\":{}}", ok.body());
    }

    @Test
    void transportErrorModeFromConfig() throws Exception {
        HeraldConfig config = new HeraldConfig();
        config.httpApi.key = KEY;
        config.httpApi.errorMode = "transport";
        start(config);
        Answer notFound = post("/api/rpc", "{\"method\":\"nope\"}");
        assertEquals(404, notFound.status());
        assertEquals("{\"code\":104,\"message\":\"not found\"}", notFound.body());
        Answer broadcast = post("/api/broadcast", "{\"channels\":[\"nope:x\"],\"data\":1}");
        assertEquals(200, broadcast.status(), "broadcast keeps per-item errors");
    }
}
