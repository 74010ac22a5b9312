package dev.herald.core;

import dev.herald.core.channel.ChannelKey;
import dev.herald.core.client.ClientSession;
import dev.herald.core.codes.Disconnect;
import dev.herald.core.config.HeraldConfig;
import dev.herald.core.testing.FakeTransport;
import dev.herald.core.testing.TestNode;
import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.Protocol;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientSessionTest {
    private HeraldConfig config;
    private Node node;

    @BeforeEach
    void setUp() {
        config = new HeraldConfig();
        HeraldConfig.Namespace chat = new HeraldConfig.Namespace();
        chat.name = "chat";
        chat.allowSubscribeForClient = true;
        chat.allowPublishForSubscriber = true;
        chat.presence = true;
        chat.allowPresenceForSubscriber = true;
        chat.joinLeave = true;
        chat.forcePushJoinLeave = true;
        HeraldConfig.Namespace hist = new HeraldConfig.Namespace();
        hist.name = "hist";
        hist.allowSubscribeForClient = true;
        hist.historySize = 10;
        hist.historyTtl = java.time.Duration.ofMinutes(5);
        hist.forceRecovery = true;
        HeraldConfig.Namespace dialog = new HeraldConfig.Namespace();
        dialog.name = "dialog";
        dialog.allowUserLimitedChannels = true;
        config.channel.namespaces.add(chat);
        config.channel.namespaces.add(hist);
        config.channel.namespaces.add(dialog);
        TestNode testNode = new TestNode(config);
        for (String user : new String[]{"42", "43", "3"}) {
            testNode.connectToken("u" + user, user, "", 0, null, java.util.List.of());
        }
        node = testNode.node;
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private ClientSession connect(FakeTransport t, String token) {
        ClientSession s = node.newSession(t);
        s.handleFrame(json("{\"id\":1,\"connect\":{\"token\":\"" + token + "\",\"name\":\"test\"}}"));
        return s;
    }

    @Test
    void connectRepliesWithClientIdAndPing() {
        FakeTransport t = new FakeTransport();
        ClientSession s = connect(t, "u42");
        assertTrue(s.connected());
        assertEquals("{\"id\":1,\"connect\":{\"client\":\"" + s.id() + "\",\"version\":\"0.1.0\",\"ping\":25,"
                + "\"pong\":true}}", t.last());
        assertEquals(1, node.hub().userSessions("42").size());
    }

    @Test
    void commandBeforeConnectIsBadRequest() {
        FakeTransport t = new FakeTransport();
        ClientSession s = node.newSession(t);
        s.handleFrame(json("{\"id\":1,\"subscribe\":{\"channel\":\"chat:x\"}}"));
        assertEquals(Disconnect.BAD_REQUEST, t.closedWith());
    }

    @Test
    void malformedFrameIsBadRequest() {
        FakeTransport t = new FakeTransport();
        ClientSession s = connect(t, "u42");
        s.handleFrame(json("{\"id\":2,\"subscribe\":"));
        assertEquals(Disconnect.BAD_REQUEST, t.closedWith());
        assertTrue(s.closed());
        assertEquals(0, node.hub().numClients());
    }

    @Test
    void invalidTokenDisconnects3500AndExpiredReplies109() {
        FakeTransport bad = new FakeTransport();
        connect(bad, "garbage");
        assertEquals(3500, bad.closedWith().code());
        FakeTransport expired = new FakeTransport();
        ClientSession s = connect(expired, "expired");
        assertEquals("{\"id\":1,\"error\":{\"code\":109,\"message\":\"token expired\"}}", expired.last());
        s.handleFrame(json("{\"id\":2,\"subscribe\":{\"channel\":\"chat:x\"}}"));
        assertEquals(3501, expired.closedWith().code());
    }

    @Test
    void noCredentialsDisconnects3501() {
        FakeTransport t = new FakeTransport();
        node.newSession(t).handleFrame(json("{\"id\":1,\"connect\":{}}"));
        assertEquals(3501, t.closedWith().code());
    }

    @Test
    void subscribePublishAndReceive() {
        FakeTransport a = new FakeTransport();
        FakeTransport b = new FakeTransport();
        ClientSession sa = connect(a, "u42");
        ClientSession sb = connect(b, "u43");
        sa.handleFrame(json("{\"id\":2,\"subscribe\":{\"channel\":\"chat:index\"}}"));
        // The reply comes first; the subscriber's own join push (force_push_join_leave) follows it.
        assertEquals("{\"id\":2,\"subscribe\":{}}", a.written().get(1));
        assertTrue(a.last().contains("\"join\":{\"info\":{\"user\":\"42\""), a.last());
        sb.handleFrame(json("{\"id\":2,\"subscribe\":{\"channel\":\"chat:index\"}}"));
        // a got b's join push (force_push_join_leave)
        assertTrue(a.last().contains("\"join\":{\"info\":{\"user\":\"43\",\"client\":\"" + sb.id() + "\"}}"),
                a.last());
        sb.handleFrame(json("{\"id\":3,\"publish\":{\"channel\":\"chat:index\",\"data\":{\"text\":\"hi\"}}}"));
        assertTrue(b.written().contains("{\"id\":3,\"publish\":{}}"), b.written().toString());
        String push = "{\"push\":{\"channel\":\"chat:index\",\"pub\":{\"data\":{\"text\":\"hi\"},\"info\":{\"user\":"
                + "\"43\",\"client\":\"" + sb.id() + "\"}}}}";
        assertTrue(a.written().contains(push), a.written().toString());
        assertTrue(b.written().contains(push), b.written().toString());
    }

    @Test
    void permissionAndLimits() {
        FakeTransport a = new FakeTransport();
        ClientSession s = connect(a, "u42");
        s.handleFrame(json("{\"id\":2,\"subscribe\":{\"channel\":\"news\"}}"));
        assertEquals("{\"id\":2,\"error\":{\"code\":103,\"message\":\"permission denied\"}}", a.last());
        s.handleFrame(json("{\"id\":3,\"subscribe\":{\"channel\":\"nope:x\"}}"));
        assertEquals("{\"id\":3,\"error\":{\"code\":102,\"message\":\"unknown channel\"}}", a.last());
        s.handleFrame(json("{\"id\":4,\"subscribe\":{\"channel\":\"chat:x\"}}"));
        s.handleFrame(json("{\"id\":5,\"subscribe\":{\"channel\":\"chat:x\"}}"));
        assertEquals("{\"id\":5,\"error\":{\"code\":105,\"message\":\"already subscribed\"}}", a.last());
        s.handleFrame(json("{\"id\":6,\"subscribe\":{\"channel\":\"$chat:x\"}}"));
        assertEquals("{\"id\":6,\"error\":{\"code\":103,\"message\":\"permission denied\"}}", a.last());
    }

    @Test
    void userLimitedChannelAdmitsListedUsersOnly() {
        FakeTransport a = new FakeTransport();
        FakeTransport c = new FakeTransport();
        connect(a, "u42").handleFrame(json("{\"id\":2,\"subscribe\":{\"channel\":\"dialog:#42,43\"}}"));
        assertEquals("{\"id\":2,\"subscribe\":{}}", a.last());
        connect(c, "u3").handleFrame(json("{\"id\":2,\"subscribe\":{\"channel\":\"dialog:#42,43\"}}"));
        assertEquals("{\"id\":2,\"error\":{\"code\":103,\"message\":\"permission denied\"}}", c.last());
    }

    @Test
    void recoveryReturnsMissedPublicationsInOrder() {
        FakeTransport a = new FakeTransport();
        ClientSession s = connect(a, "u42");
        s.handleFrame(json("{\"id\":2,\"subscribe\":{\"channel\":\"hist:a\"}}"));
        String reply = a.last();
        String epoch = reply.replaceAll(".*\"epoch\":\"([^\"]+)\".*", "$1");
        for (int i = 1; i <= 3; i++) {
            node.publish("hist:a", json("{\"n\":" + i + "}"), null, null, false, null);
        }
        s.close(Disconnect.FORCE_RECONNECT);
        FakeTransport b = new FakeTransport();
        ClientSession s2 = connect(b, "u42");
        node.publish("hist:a", json("{\"n\":4}"), null, null, false, null);
        s2.handleFrame(json("{\"id\":2,\"subscribe\":{\"channel\":\"hist:a\",\"recover\":true,\"epoch\":\"" + epoch
                + "\",\"offset\":1}}"));
        assertEquals("{\"id\":2,\"subscribe\":{\"recoverable\":true,\"epoch\":\"" + epoch + "\","
                + "\"publications\":[{\"data\":{\"n\":2},\"offset\":2},{\"data\":{\"n\":3},\"offset\":3},"
                + "{\"data\":{\"n\":4},\"offset\":4}],\"recovered\":true,\"offset\":4,\"positioned\":true,\"was_recovering\":true}}",
                b.last());
    }

    @Test
    void disconnectApiRemovesSessionBeforeReturning() {
        FakeTransport a = new FakeTransport();
        FakeTransport b = new FakeTransport();
        ClientSession sa = connect(a, "u42");
        ClientSession sb = connect(b, "u42");
        int closed = node.disconnect("42", null, null, Set.of(sb.id()), new Disconnect(4000, "bye"));
        assertEquals(1, closed);
        assertEquals(1, node.hub().userSessions("42").size());
        assertEquals(sb.id(), node.hub().userSessions("42").getFirst().id());
        assertEquals(4000, a.closedWith().code());
        assertNull(b.closedWith());
    }

    @Test
    void presenceListsSubscribers() {
        FakeTransport a = new FakeTransport();
        ClientSession s = connect(a, "u42");
        s.handleFrame(json("{\"id\":2,\"subscribe\":{\"channel\":\"chat:p\"}}"));
        s.handleFrame(json("{\"id\":3,\"presence_stats\":{\"channel\":\"chat:p\"}}"));
        assertEquals("{\"id\":3,\"presence_stats\":{\"num_clients\":1,\"num_users\":1}}", a.last());
        var presence = node.presence().presence(ChannelKey.of("chat:p")).toCompletableFuture().join();
        assertEquals(new ClientInfo("42", s.id(), null, null).user(), presence.get(s.id()).user());
    }

    @Test
    void protobufSessionGetsBinaryReplies() {
        FakeTransport t = new FakeTransport("websocket", Protocol.PROTOBUF, false);
        ClientSession s = node.newSession(t);
        // Command{id:1, connect:{token:"u42"}} varint-delimited: field 1 varint 1, field 4 len-delimited {1:"u42"}
        byte[] body = {0x08, 0x01, 0x22, 0x05, 0x0a, 0x03, 'u', '4', '2'};
        byte[] frame = new byte[body.length + 1];
        frame[0] = (byte) body.length;
        System.arraycopy(body, 0, frame, 1, body.length);
        s.handleFrame(frame);
        assertTrue(s.connected());
        assertTrue(t.frames().getFirst().length > 10);
    }

    @Test
    void serverApiSubscribeAndUnsubscribeReachLiveConnections() {
        FakeTransport a = new FakeTransport();
        ClientSession s = connect(a, "u42");
        node.subscribe("42", "news", null, null, null);
        assertEquals("{\"push\":{\"channel\":\"news\",\"subscribe\":{}}}", a.last());
        assertEquals(10, s.subscriptions().get("news").source());
        node.publish("news", json("1"), null, null, false, null);
        assertEquals("{\"push\":{\"channel\":\"news\",\"pub\":{\"data\":1}}}", a.last());
        node.unsubscribe("42", "news", null, null);
        assertEquals("{\"push\":{\"channel\":\"news\",\"unsubscribe\":{\"code\":2000,\"reason\":"
                + "\"server unsubscribe\"}}}", a.last());
        assertTrue(s.subscriptions().isEmpty());
        assertEquals(0, node.hub().numSubscribers(ChannelKey.of("news")));
    }
}
