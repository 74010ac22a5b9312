package dev.herald.core;

import dev.herald.core.client.ClientSession;
import dev.herald.core.codes.Disconnect;
import dev.herald.core.config.HeraldConfig;
import dev.herald.core.testing.TestNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code client.subscribe_to_user_personal_channel.single_connection} on one node. */
class SingleConnectionTest {

    private static TestNode node(boolean singleConnection) {
        HeraldConfig config = new HeraldConfig();
        config.client.subscribeToUserPersonalChannel.enabled = true;
        config.client.subscribeToUserPersonalChannel.singleConnection = singleConnection;
        config.channel.withoutNamespace.presence = true;
        TestNode node = new TestNode(config);
        node.connectToken("u42", "42", "", 0, null, List.of());
        node.connectToken("u43", "43", "", 0, null, List.of());
        return node;
    }

    @Test
    void aNewConnectionDisconnectsTheUsersOlderOnesWith3504() {
        try (TestNode t = node(true)) {
            ClientSession first = t.connectBidi("websocket", "u42", null, null);
            ClientSession second = t.connectBidi("websocket", "u42", null, null);
            ClientSession other = t.connectBidi("websocket", "u43", null, null);
            assertEquals(Disconnect.CONNECTION_LIMIT, TestNode.transport(first).closedWith());
            assertEquals(3504, TestNode.transport(first).closedWith().code());
            assertTrue(second.connected());
            assertNull(TestNode.transport(second).closedWith());
            assertTrue(other.connected(), "another user's connection stays");
            assertEquals(List.of(second), t.node.hub().userSessions("42"));

            ClientSession third = t.connectUni("u42", null);
            assertEquals(Disconnect.CONNECTION_LIMIT, TestNode.transport(second).closedWith());
            assertEquals(List.of(third), t.node.hub().userSessions("42"));
        }
    }

    @Test
    void withoutItAUserKeepsEveryConnection() {
        try (TestNode t = node(false)) {
            ClientSession first = t.connectBidi("websocket", "u42", null, null);
            ClientSession second = t.connectBidi("websocket", "u42", null, null);
            assertTrue(first.connected() && second.connected());
            assertEquals(2, t.node.hub().userSessions("42").size());
        }
    }
}
