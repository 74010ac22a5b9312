package dev.herald.core.api;

import dev.herald.core.testing.TestNode;

import dev.herald.core.client.ClientSession;
import dev.herald.core.codes.Disconnect;
import dev.herald.core.codes.ErrorException;
import dev.herald.core.config.HeraldConfig;
import dev.herald.protocol.ReplyError;
import dev.herald.protocol.StreamPosition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiExecutorTest {
    private TestNode t;

    private TestNode node() {
        HeraldConfig config = new HeraldConfig();
        HeraldConfig.Namespace history = new HeraldConfig.Namespace();
        history.name = "hist";
        history.historySize = 10;
        history.historyTtl = Duration.ofMinutes(1);
        HeraldConfig.Namespace presence = new HeraldConfig.Namespace();
        presence.name = "room";
        presence.presence = true;
        config.channel.namespaces.add(history);
        config.channel.namespaces.add(presence);
        t = new TestNode(config);
        return t;
    }

    @AfterEach
    void close() {
        if (t != null) {
            t.close();
        }
    }

    private static <T> T join(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private static ReplyError error(CompletionStage<?> stage) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> stage.toCompletableFuture().get(5, TimeUnit.SECONDS));
        return assertInstanceOf(ErrorException.class, e.getCause()).error();
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ApiRequest.Publish publish(String channel, String data) {
        return new ApiRequest.Publish(channel, data == null ? null : json(data), "", false, Map.of(), "");
    }

    @Test
    void publishWithoutHistoryReachesSubscribersAndReturnsEmptyPosition() throws Exception {
        TestNode t = node();
        t.connectToken("tok", "42", "", 0, null, List.of("chat"));
        ClientSession s = t.connectBidi("websocket", "tok", "terminal", null);
        assertTrue(s.connected());

        ApiResult.Publish result = join(t.api.publish(publish("chat", "{\"text\":\"hi\"}")));

        assertEquals(new ApiResult.Publish(0, ""), result);
        assertTrue(TestNode.transport(s).written().stream()
                .anyMatch(f -> f.contains("\"channel\":\"chat\"") && f.contains("\"data\":{\"text\":\"hi\"}")),
                () -> TestNode.transport(s).written().toString());
    }

    @Test
    void anIdempotencyKeyPublishesOnceWithOrWithoutHistory() throws Exception {
        TestNode t = node();
        t.connectToken("tok", "42", "", 0, null, List.of("chat"));
        ClientSession s = t.connectBidi("websocket", "tok", "terminal", null);
        for (int i = 0; i < 2; i++) {
            join(t.api.publish(new ApiRequest.Publish("chat", json("{\"n\":1}"), "", false, Map.of(), "k1")));
        }
        assertEquals(1, TestNode.transport(s).written().stream().filter(f -> f.contains("\"n\":1")).count(),
                "the second publish with the same key is not delivered");

        ApiResult.Publish first = join(t.api.publish(
                new ApiRequest.Publish("hist:i", json("1"), "", false, Map.of(), "k2")));
        ApiResult.Publish again = join(t.api.publish(
                new ApiRequest.Publish("hist:i", json("1"), "", false, Map.of(), "k2")));
        assertEquals(first, again, "the first result is returned");
        assertEquals(1, join(t.api.history(new ApiRequest.History("hist:i", -1, null, false))).publications().size());
    }

    @Test
    void publishWithHistoryReturnsOffsetAndEpochAndHistoryReadsThem() throws Exception {
        TestNode t = node();
        ApiResult.Publish first = join(t.api.publish(publish("hist:a", "1")));
        ApiResult.Publish second = join(t.api.publish(publish("hist:a", "2")));
        assertEquals(1, first.offset());
        assertEquals(2, second.offset());
        assertFalse(first.epoch().isEmpty());
        assertEquals(first.epoch(), second.epoch());

        ApiResult.History all = join(t.api.history(new ApiRequest.History("hist:a", -1, null, false)));
        assertEquals(2, all.publications().size());
        assertArrayEquals(json("1"), all.publications().getFirst().data());
        assertEquals(2, all.offset());
        assertEquals(first.epoch(), all.epoch());

        ApiResult.History position = join(t.api.history(new ApiRequest.History("hist:a", 0, null, false)));
        assertTrue(position.publications().isEmpty());
        assertEquals(2, position.offset());

        ApiResult.History reversed = join(t.api.history(new ApiRequest.History("hist:a", 1, null, true)));
        assertArrayEquals(json("2"), reversed.publications().getFirst().data());

        ApiResult.History since = join(t.api.history(
                new ApiRequest.History("hist:a", -1, new StreamPosition(1, first.epoch()), false)));
        assertEquals(1, since.publications().size());
        assertEquals(2, since.publications().getFirst().offset());

        assertEquals(112, error(t.api.history(
                new ApiRequest.History("hist:a", -1, new StreamPosition(1, "other"), false))).code());

        join(t.api.historyRemove(new ApiRequest.HistoryRemove("hist:a")));
        ApiResult.History removed = join(t.api.history(new ApiRequest.History("hist:a", -1, null, false)));
        assertTrue(removed.publications().isEmpty());
        assertEquals(2, removed.offset(), "history_remove keeps the stream position");
    }

    @Test
    void skipHistoryPublishesWithoutAppending() throws Exception {
        TestNode t = node();
        ApiResult.Publish result = join(t.api.publish(
                new ApiRequest.Publish("hist:b", json("1"), "", true, Map.of(), "")));
        assertEquals(0, result.offset());
        ApiResult.History history = join(t.api.history(new ApiRequest.History("hist:b", -1, null, false)));
        assertTrue(history.publications().isEmpty());
    }

    @Test
    void publishValidatesChannelAndPayload() throws Exception {
        TestNode t = node();
        assertEquals(ApiErrors.BAD_REQUEST, error(t.api.publish(publish("", "1"))));
        assertEquals(102, error(t.api.publish(publish("nope:x", "1"))).code());
        assertEquals(107, error(t.api.publish(publish("chat", null))).code());
        assertEquals(107, error(t.api.publish(
                new ApiRequest.Publish("chat", null, "not base64!", false, Map.of(), ""))).code());
        String b64 = Base64.getEncoder().encodeToString(json("{\"b\":1}"));
        assertEquals(new ApiResult.Publish(0, ""), join(t.api.publish(
                new ApiRequest.Publish("chat", null, b64, false, Map.of(), ""))));
        assertEquals(108, error(t.api.history(new ApiRequest.History("chat", 0, null, false))).code());
        assertEquals(108, error(t.api.historyRemove(new ApiRequest.HistoryRemove("chat"))).code());
    }

    @Test
    void broadcastAnswersPerChannel() throws Exception {
        TestNode t = node();
        ApiResult.Broadcast result = join(t.api.broadcast(new ApiRequest.Broadcast(
                List.of("chat", "", "nope:x", "hist:c"), json("{}"), "", false, Map.of(), "")));
        List<ApiResult.PublishReply> replies = result.responses();
        assertEquals(4, replies.size());
        assertEquals(new ApiResult.Publish(0, ""), replies.get(0).result());
        assertEquals(107, replies.get(1).error().code());
        assertEquals(102, replies.get(2).error().code());
        assertEquals(1, replies.get(3).result().offset());
        assertEquals(107, error(t.api.broadcast(
                new ApiRequest.Broadcast(List.of(), json("{}"), "", false, Map.of(), ""))).code());
    }

    @Test
    void disconnectedSessionIsGoneFromConnectionsWhenTheCallReturns() throws Exception {
        TestNode t = node();
        t.connectToken("tok", "42", "", 0, null, List.of());
        ClientSession a = t.connectBidi("websocket", "tok", "terminal", null);
        ClientSession b = t.connectBidi("websocket", "tok", "terminal", null);
        assertEquals(2, join(t.api.connections(new ApiRequest.Connections("42", "", 0, ""))).connections().size());

        join(t.api.disconnect(new ApiRequest.Disconnect("", a.id(), "", List.of(), null)));

        Map<String, ConnectionInfo> left =
                join(t.api.connections(new ApiRequest.Connections("42", "", 0, ""))).connections();
        assertEquals(List.of(b.id()), List.copyOf(left.keySet()));
        assertEquals(Disconnect.FORCE_DISCONNECT, TestNode.transport(a).closedWith());
        assertNull(TestNode.transport(b).closedWith());
    }

    @Test
    void disconnectUserKeepsWhitelistAndUsesCustomCode() throws Exception {
        TestNode t = node();
        t.connectToken("tok", "42", "", 0, null, List.of());
        t.connectToken("other", "7", "", 0, null, List.of());
        ClientSession a = t.connectBidi("websocket", "tok", "terminal", null);
        ClientSession b = t.connectBidi("websocket", "tok", "terminal", null);
        ClientSession c = t.connectBidi("websocket", "tok", "terminal", null);
        ClientSession stranger = t.connectBidi("websocket", "other", "terminal", null);

        join(t.api.disconnect(new ApiRequest.Disconnect("42", "", "", List.of(b.id()),
                new Disconnect(4000, "bye"))));

        assertEquals(new Disconnect(4000, "bye"), TestNode.transport(a).closedWith());
        assertEquals(new Disconnect(4000, "bye"), TestNode.transport(c).closedWith());
        assertNull(TestNode.transport(b).closedWith());
        assertNull(TestNode.transport(stranger).closedWith());
        assertEquals(List.of(b.id()), List.copyOf(
                join(t.api.connections(new ApiRequest.Connections("42", "", 0, ""))).connections().keySet()));
    }

    @Test
    void connectionsFiltersWithCelAcrossUsers() throws Exception {
        TestNode t = node();
        t.connectToken("phone", "42", "jti-1", 1712340000, "{\"device\":\"phone\"}", List.of());
        t.connectToken("desk", "43", "", 0, "{\"device\":\"desktop\"}", List.of());
        ClientSession phone = t.connectBidi("websocket", "phone", "terminal", null);
        t.connectBidi("websocket", "desk", "terminal", null);

        ApiResult.Connections byMeta = join(t.api.connections(
                new ApiRequest.Connections("", "meta.device == 'phone'", 0, "")));
        assertEquals(List.of(phone.id()), List.copyOf(byMeta.connections().keySet()));
        assertTrue(byMeta.withUser(), "expression-only listings say whose connection it is");
        assertEquals(2, join(t.api.connections(new ApiRequest.Connections("", "app_name == 'terminal'", 0, "")))
                .connections().size());
        assertTrue(join(t.api.connections(new ApiRequest.Connections("43", "token_uid == 'jti-1'", 0, "")))
                .connections().isEmpty());
    }

    @Test
    void connectionsReportsTokensChannelsAndMeta() throws Exception {
        TestNode t = node();
        t.connectToken("tok", "42", "jti-1", 1712340000, "{\"device\":\"phone\"}", List.of("news"));
        t.subscribeToken("sub", "42", "$secret", "sub-jti", 1712340001);
        ClientSession s = t.connectBidi("websocket", "tok", "terminal", "1.0");
        TestNode.send(s, "{\"id\":2,\"subscribe\":{\"channel\":\"$secret\",\"token\":\"sub\"}}");

        ConnectionInfo info = join(t.api.connections(new ApiRequest.Connections("42", "", 0, "")))
                .connections().get(s.id());

        assertNotNull(info);
        assertEquals("terminal", info.appName());
        assertEquals("1.0", info.appVersion());
        assertEquals("websocket", info.transport());
        assertEquals("json", info.protocol());
        assertEquals(List.of("$secret", "news"), info.channels());
        assertEquals(new ConnectionInfo.TokenInfo("jti-1", 1712340000), info.connectionToken());
        assertEquals(Map.of("$secret", new ConnectionInfo.TokenInfo("sub-jti", 1712340001)),
                info.subscriptionTokens());
        assertArrayEquals(json("{\"device\":\"phone\"}"), info.meta());
    }

    @Test
    void connectionsNeedsUserOrExpressionAndReportsCelErrors() {
        TestNode t = node();
        assertEquals(ApiErrors.BAD_REQUEST, error(t.api.connections(new ApiRequest.Connections("", "", 0, ""))));
        ReplyError typeError = error(t.api.connections(new ApiRequest.Connections("42", "user + 1", 0, "")));
        assertEquals(107, typeError.code());
        assertTrue(typeError.message().contains("found no matching overload"), typeError.message());
        assertEquals(107, error(t.api.connections(new ApiRequest.Connections("", "user ==", 0, ""))).code());
        assertEquals(107, error(t.api.userConnections(new ApiRequest.UserConnections(""))).code());
    }

    @Test
    void connectionsPagesInClientIdOrder() throws Exception {
        TestNode t = node();
        t.connectToken("tok", "42", "", 0, null, List.of());
        for (int i = 0; i < 5; i++) {
            t.connectBidi("websocket", "tok", "terminal", null);
        }
        List<String> all = join(t.api.connections(new ApiRequest.Connections("42", "", 0, "")))
                .connections().keySet().stream().sorted().toList();
        List<String> seen = new java.util.ArrayList<>();
        String cursor = "";
        int pages = 0;
        do {
            ApiResult.Connections page = join(t.api.connections(new ApiRequest.Connections("42", "", 2, cursor)));
            seen.addAll(page.connections().keySet());
            cursor = page.nextCursor();
            pages++;
        } while (!cursor.isEmpty() && pages < 10);
        assertEquals(all, seen);
        assertEquals(3, pages);
        assertEquals(107, error(t.api.connections(new ApiRequest.Connections("42", "", 2, "garbage"))).code());
    }

    @Test
    void rpcDispatchesToExtensions() throws Exception {
        TestNode t = node();
        t.connectToken("tok", "42", "", 0, null, List.of());
        ClientSession s = t.connectBidi("websocket", "tok", "terminal", null);

        ApiResult.Rpc rpc = join(t.api.rpc(new ApiRequest.Rpc("getUserConnections", json("{\"user\":\"42\"}"))));
        ApiResult.ConnectionMap map = assertInstanceOf(ApiResult.ConnectionMap.class, rpc.data());
        assertEquals(List.of(s.id()), List.copyOf(map.connections().keySet()));

        assertEquals(ApiErrors.NOT_FOUND, error(t.api.rpc(new ApiRequest.Rpc("nope", null))));
        assertEquals(ApiErrors.BAD_REQUEST, error(t.api.rpc(new ApiRequest.Rpc("", null))));
        assertEquals(107, error(t.api.rpc(new ApiRequest.Rpc("getUserConnections", json("{}")))).code());
        assertEquals(107, error(t.api.rpc(new ApiRequest.Rpc("getUserConnections", json("[1")))).code());
    }

    @Test
    void channelsFiltersWithGlobAndInfoCountsThem() throws Exception {
        TestNode t = node();
        t.connectToken("tok", "42", "", 0, null, List.of("room:1", "room:2", "news"));
        t.connectBidi("websocket", "tok", "terminal", null);
        t.connectBidi("websocket", "tok", "terminal", null);

        assertEquals(Map.of("room:1", 2, "room:2", 2, "news", 2),
                join(t.api.channels(new ApiRequest.Channels(""))).channels());
        assertEquals(Map.of("room:1", 2, "room:2", 2),
                join(t.api.channels(new ApiRequest.Channels("room:*"))).channels());
        assertEquals(Map.of("room:2", 2), join(t.api.channels(new ApiRequest.Channels("room:[2-9]"))).channels());
        assertEquals(107, error(t.api.channels(new ApiRequest.Channels("room:[1"))).code());

        var nodes = join(t.api.info(new ApiRequest.Info())).nodes();
        assertEquals(1, nodes.size());
        assertEquals(2, nodes.getFirst().numClients());
        assertEquals(1, nodes.getFirst().numUsers());
        assertEquals(3, nodes.getFirst().numChannels());
        assertEquals(6, nodes.getFirst().numSubs());
    }

    @Test
    void presenceNeedsItEnabled() throws Exception {
        TestNode t = node();
        t.connectToken("tok", "42", "", 0, null, List.of("room:1"));
        ClientSession s = t.connectBidi("websocket", "tok", "terminal", null);

        ApiResult.Presence presence = join(t.api.presence(new ApiRequest.Presence("room:1")));
        assertEquals("42", presence.presence().get(s.id()).user());
        assertEquals(new ApiResult.PresenceStats(1, 1),
                join(t.api.presenceStats(new ApiRequest.PresenceStats("room:1"))));
        assertEquals(108, error(t.api.presence(new ApiRequest.Presence("chat"))).code());
        assertEquals(107, error(t.api.presenceStats(new ApiRequest.PresenceStats(""))).code());
    }

    @Test
    void unsubscribeAndRefreshActOnConnections() throws Exception {
        TestNode t = node();
        t.connectToken("tok", "42", "", 0, null, List.of("news"));
        ClientSession s = t.connectBidi("websocket", "tok", "terminal", null);

        join(t.api.unsubscribe(new ApiRequest.Unsubscribe("42", "news", "", "")));
        assertTrue(s.subscriptions().isEmpty());
        assertTrue(TestNode.transport(s).written().stream().anyMatch(f -> f.contains("\"unsubscribe\"")));
        assertEquals(107, error(t.api.unsubscribe(new ApiRequest.Unsubscribe("42", "", "", ""))).code());

        join(t.api.refresh(new ApiRequest.Refresh("42", "", "", true, 0, null)));
        assertEquals(Disconnect.EXPIRED, TestNode.transport(s).closedWith());
    }

    @Test
    void subscribeReachesLiveConnectionsWithData() throws Exception {
        TestNode t = node();
        t.connectToken("tok", "42", "", 0, null, List.of());
        ClientSession s = t.connectBidi("websocket", "tok", "terminal", null);

        join(t.api.subscribe(new ApiRequest.Subscribe("42", "news", "", "", json("{\"role\":\"reader\"}"), "",
                json("{\"welcome\":1}"), "", null, 0, null)));

        assertEquals(10, s.subscriptions().get("news").source());
        assertArrayEquals(json("{\"role\":\"reader\"}"), s.subscriptions().get("news").info().chanInfo());
        assertEquals("{\"push\":{\"channel\":\"news\",\"subscribe\":{\"data\":{\"welcome\":1}}}}",
                TestNode.transport(s).written().getLast());
        assertEquals(List.of("news"), join(t.api.connections(new ApiRequest.Connections("42", "", 0, "")))
                .connections().get(s.id()).channels());
        assertEquals(107, error(t.api.subscribe(new ApiRequest.Subscribe("42", "", "", "",
                null, "", null, "", null, 0, null))).code());
        assertEquals(102, error(t.api.subscribe(new ApiRequest.Subscribe("42", "nope:x", "", "",
                null, "", null, "", null, 0, null))).code());
    }

    @Test
    void batchKeepsOrderAndIsolatesFailures() throws Exception {
        TestNode t = node();
        for (boolean parallel : new boolean[]{false, true}) {
            ApiResult.Batch batch = join(t.api.batch(new ApiRequest.Batch(List.of(
                    publish("hist:d", "1"),
                    new ApiRequest.Invalid("unknown", ApiErrors.NOT_FOUND),
                    publish("", "1"),
                    new ApiRequest.Info()), parallel)));
            List<ApiResult.BatchReply> replies = batch.replies();
            assertEquals(4, replies.size());
            assertEquals("publish", replies.get(0).method());
            assertInstanceOf(ApiResult.Publish.class, replies.get(0).result());
            assertEquals(ApiErrors.NOT_FOUND, replies.get(1).error());
            assertEquals(ApiErrors.BAD_REQUEST, replies.get(2).error());
            assertInstanceOf(ApiResult.Info.class, replies.get(3).result());
        }
        ApiResult.History history = join(t.api.history(new ApiRequest.History("hist:d", -1, null, false)));
        assertEquals(2, history.publications().size());
    }
}
