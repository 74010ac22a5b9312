package dev.herald.core.cluster;

import dev.herald.core.NodeInfo;
import dev.herald.core.api.ApiRequest;
import dev.herald.core.api.ApiResult;
import dev.herald.core.client.ClientSession;
import dev.herald.core.config.HeraldConfig;
import dev.herald.core.testing.ClusterHarness;
import dev.herald.core.testing.TestNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three real nodes on the in-process harness: every server API call acts on, or lists, the whole cluster, and a
 * node that stops answering is named instead of hanging the call.
 */
class MultiNodeTest {
    private ClusterHarness cluster;

    @BeforeEach
    void setUp() {
        cluster = new ClusterHarness(3, () -> {
            HeraldConfig config = new HeraldConfig();
            config.channel.withoutNamespace.allowSubscribeForClient = true;
            return config;
        });
        cluster.connectToken("t42", "42");
        cluster.connectToken("t7", "7");
    }

    @AfterEach
    void tearDown() {
        cluster.close();
    }

    private ClientSession connect(int node, String token) {
        ClientSession s = cluster.node(node).connectBidi("websocket", token, null, null);
        assertTrue(s.connected());
        return s;
    }

    private static void send(ClientSession s, String frame) {
        TestNode.send(s, frame);
    }

    private static <T> T now(java.util.concurrent.CompletionStage<T> stage) {
        CompletableFuture<T> f = stage.toCompletableFuture();
        assertTrue(f.isDone(), "completed without waiting");
        return f.join();
    }

    private List<String> nodeIds() {
        return cluster.nodes().stream().map(n -> n.node.id()).toList();
    }

    @Test
    void infoListsEveryNode() {
        ApiResult.Info info = now(cluster.node(1).api.info(new ApiRequest.Info()));
        assertEquals(Set.copyOf(nodeIds()), info.nodes().stream().map(NodeInfo::uid).collect(Collectors.toSet()));
        assertEquals(cluster.node(1).node.id(), info.nodes().getFirst().uid(), "the asked node comes first");
    }

    @Test
    void aPublicationOnOneNodeReachesSubscribersOnAll() {
        List<ClientSession> subscribers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ClientSession s = connect(i, "t7");
            send(s, "{\"id\":2,\"subscribe\":{\"channel\":\"chat\"}}");
            subscribers.add(s);
        }
        cluster.node(1).node.publish("chat", "\"hi\"".getBytes(StandardCharsets.UTF_8), null, null, true, null);
        for (ClientSession s : subscribers) {
            assertEquals("{\"push\":{\"channel\":\"chat\",\"pub\":{\"data\":\"hi\"}}}", TestNode.transport(s).last());
        }
    }

    @Test
    void aDelayedBrokerDeliversEveryNodesPublicationsLateButInOrder() {
        List<ClientSession> subscribers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ClientSession s = connect(i, "t7");
            send(s, "{\"id\":2,\"subscribe\":{\"channel\":\"chat\"}}");
            subscribers.add(s);
        }
        cluster.broker.delay(Duration.ofMillis(20));
        for (int i = 0; i < 6; i++) {
            cluster.node(i % 3).node.publish("chat", ("\"m" + i + "\"").getBytes(StandardCharsets.UTF_8), null, null,
                    true, null);
        }
        for (ClientSession s : subscribers) {
            assertTrue(TestNode.transport(s).written().stream().noneMatch(f -> f.contains("\"pub\"")),
                    "nothing arrives before the broker's delay");
        }
        cluster.time.advance(Duration.ofMillis(20));
        List<String> expected = List.of("m0", "m1", "m2", "m3", "m4", "m5");
        for (ClientSession s : subscribers) {
            assertEquals(expected, TestNode.transport(s).written().stream().filter(f -> f.contains("\"pub\""))
                    .map(f -> f.replaceAll(".*\"data\":\"([^\"]*)\".*", "$1")).toList());
        }
    }

    @Test
    void connectionsOfAUserAreMergedFromEveryNode() {
        Set<String> clients = Set.of(connect(0, "t42").id(), connect(1, "t42").id(), connect(2, "t42").id());
        connect(2, "t7");
        ApiResult.Connections byUser = now(cluster.node(0).api.connections(
                new ApiRequest.Connections("42", null, 0, null)));
        assertEquals(clients, byUser.connections().keySet());
        assertTrue(byUser.missingNodes().isEmpty());
        ApiResult.UserConnections older = now(cluster.node(1).api.userConnections(
                new ApiRequest.UserConnections("42")));
        assertEquals(clients, older.connections().keySet());
        ApiResult.Connections byExpression = now(cluster.node(2).api.connections(
                new ApiRequest.Connections(null, "user == \"42\"", 0, null)));
        assertEquals(clients, byExpression.connections().keySet());
        ApiResult.Connections paged = now(cluster.node(2).api.connections(
                new ApiRequest.Connections("42", null, 2, null)));
        assertEquals(2, paged.connections().size());
        assertFalse(paged.nextCursor().isEmpty());
    }

    @Test
    void disconnectByUserOnOneNodeClosesTheUsersSessionsEverywhereBeforeTheCallReturns() {
        cluster.bus.delay(Duration.ofMillis(50));
        List<ClientSession> sessions = List.of(connect(0, "t42"), connect(1, "t42"), connect(2, "t42"));
        ClientSession other = connect(1, "t7");
        var call = cluster.node(0).api.disconnect(new ApiRequest.Disconnect("42", null, null, null, null))
                .toCompletableFuture();
        boolean[] closedWhenDone = new boolean[1];
        call.thenRun(() -> closedWhenDone[0] = sessions.stream().allMatch(ClientSession::closed)
                && cluster.nodes().stream().allMatch(n -> n.node.hub().userSessions("42").isEmpty()));
        assertFalse(call.isDone(), "the call waits for the other nodes");
        cluster.time.advance(Duration.ofMillis(100));
        assertTrue(call.isDone());
        assertTrue(closedWhenDone[0], "every node had closed the user's sessions when the call completed");
        for (ClientSession s : sessions) {
            assertEquals(3503, TestNode.transport(s).closedWith().code());
        }
        assertTrue(other.connected());
    }

    @Test
    void subscribeAndUnsubscribeReachSessionsOnEveryNode() {
        List<ClientSession> sessions = List.of(connect(0, "t42"), connect(1, "t42"), connect(2, "t42"));
        now(cluster.node(2).api.subscribe(new ApiRequest.Subscribe("42", "news", null, null, null, null, null,
                null, null, 0, null)));
        for (ClientSession s : sessions) {
            assertEquals("{\"push\":{\"channel\":\"news\",\"subscribe\":{}}}", TestNode.transport(s).last());
        }
        ApiResult.Channels channels = now(cluster.node(0).api.channels(new ApiRequest.Channels(null)));
        assertEquals(3, channels.channels().get("news"));
        now(cluster.node(1).api.unsubscribe(new ApiRequest.Unsubscribe("42", "news", null, null)));
        for (ClientSession s : sessions) {
            assertTrue(s.subscriptions().isEmpty());
        }
    }

    @Test
    void aSilentNodeIsNamedWithinTheSurveyTimeoutAndLeavesInfoAfterTheHeartbeatWindow() {
        connect(0, "t42");
        connect(2, "t42");
        ClientSession onB = connect(1, "t42");
        send(onB, "{\"id\":2,\"subscribe\":{\"channel\":\"chat\"}}");
        String silent = cluster.node(2).node.id();
        cluster.silence(2);

        var connections = cluster.node(0).api.connections(new ApiRequest.Connections("42", null, 0, null))
                .toCompletableFuture();
        var channels = cluster.node(0).api.channels(new ApiRequest.Channels(null)).toCompletableFuture();
        Duration timeout = ClusterTiming.DEFAULTS.surveyTimeout();
        cluster.time.advance(timeout.minusMillis(1));
        assertFalse(connections.isDone());
        assertFalse(channels.isDone());
        cluster.time.advance(Duration.ofMillis(1));
        ApiResult.Connections partial = now(connections);
        assertEquals(List.of(silent), partial.missingNodes());
        assertEquals(2, partial.connections().size(), "the answering nodes' connections are listed");
        assertEquals(List.of(silent), now(channels).missingNodes());
        assertEquals(1, now(channels).channels().get("chat"));

        // Heartbeats stopped at silence; the window counts from the last one heard.
        cluster.time.advance(ClusterTiming.DEFAULTS.heartbeatWindow());
        ApiResult.Info info = now(cluster.node(0).api.info(new ApiRequest.Info()));
        assertFalse(info.nodes().stream().anyMatch(n -> n.uid().equals(silent)));
        assertEquals(2, info.nodes().size());
        // Once out of the registry it is no longer waited for: listings are complete again.
        assertTrue(now(cluster.node(0).api.connections(new ApiRequest.Connections("42", null, 0, null)))
                .missingNodes().isEmpty());
    }

    @Test
    void anEmulationRequestReachesTheNodeHoldingTheSession() {
        ClientSession stream = cluster.node(2).connectBidi("http_stream", "t42", null, null);
        assertFalse(stream.sessionId().isEmpty());
        byte[] frame = "{\"id\":2,\"subscribe\":{\"channel\":\"chat\"}}".getBytes(StandardCharsets.UTF_8);
        assertTrue(now(cluster.node(0).node.control().forwardEmulation(cluster.node(2).node.id(), stream.sessionId(),
                frame, Duration.ofSeconds(1))));
        assertEquals("{\"id\":2,\"subscribe\":{}}", TestNode.transport(stream).last());
        assertFalse(now(cluster.node(0).node.control().forwardEmulation(cluster.node(1).node.id(),
                stream.sessionId(), frame, Duration.ofSeconds(1))), "node b does not hold it");
        assertNotNull(stream.subscriptions().get("chat"));
    }
}
