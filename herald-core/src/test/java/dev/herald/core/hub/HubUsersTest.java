package dev.herald.core.hub;

import dev.herald.core.client.ClientSession;
import dev.herald.core.config.HeraldConfig;
import dev.herald.core.testing.TestNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hub's per-user connection sets in all their forms (one, a few, many), and the user shards. */
class HubUsersTest {
    private final TestNode testNode = new TestNode();

    @AfterEach
    void tearDown() {
        testNode.close();
    }

    private List<ClientSession> sessions(int n) {
        List<ClientSession> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(testNode.node.newSession(new dev.herald.core.testing.FakeTransport()));
        }
        return out;
    }

    @Test
    void keepsConnectionOrderThroughEveryForm() {
        for (int n : new int[]{1, 2, UserIndex.UserSet.MAX_ARRAY, UserIndex.UserSet.MAX_ARRAY + 1, 40}) {
            List<ClientSession> all = sessions(n);
            Object set = null;
            for (ClientSession s : all) {
                set = UserIndex.UserSet.add(set, s);
                set = UserIndex.UserSet.add(set, s); // adding again changes nothing
            }
            assertEquals(n, UserIndex.UserSet.size(set));
            assertEquals(all, UserIndex.UserSet.toList(set));
            // Remove from the middle, then the rest from the front.
            List<ClientSession> left = new ArrayList<>(all);
            ClientSession middle = left.remove(n / 2);
            set = UserIndex.UserSet.remove(set, middle);
            assertEquals(left, UserIndex.UserSet.toList(set));
            assertSame(set, UserIndex.UserSet.remove(set, middle)); // not there any more
            while (!left.isEmpty()) {
                set = UserIndex.UserSet.remove(set, left.removeFirst());
                assertEquals(left, UserIndex.UserSet.toList(set));
                assertEquals(left.size(), UserIndex.UserSet.size(set));
            }
            assertNull(set);
            assertEquals(List.of(), UserIndex.UserSet.toList(null));
        }
    }

    @Test
    void compactForms() {
        List<ClientSession> two = sessions(2);
        Object one = UserIndex.UserSet.add(null, two.get(0));
        assertSame(two.get(0), one);
        Object pair = UserIndex.UserSet.add(one, two.get(1));
        assertTrue(pair instanceof HubSession[]);
        assertSame(two.get(0), UserIndex.UserSet.remove(pair, two.get(1)));
        assertSame(two.get(1), UserIndex.UserSet.remove(pair, two.get(0)));
    }

    @Test
    void hubAddsRemovesAndLimitsByUser() {
        Hub hub = new Hub(testNode.node.telemetry(), BrokerSubscriptions.NONE);
        List<ClientSession> all = sessions(3);
        for (ClientSession s : all) {
            assertTrue(hub.addSession(s, 0));
        }
        // Sessions not yet connected have the user "", which the limit does not apply to.
        assertTrue(hub.addSession(sessions(1).getFirst(), 1));
        assertEquals(4, hub.userSessions("").size());
        assertEquals(all, hub.userSessions("").subList(0, 3));
        assertEquals(1, hub.numUsers());
        for (HubSession s : hub.userSessions("")) {
            hub.removeSession(s);
        }
        assertEquals(List.of(), hub.userSessions(""));
        assertEquals(0, hub.numUsers());
        assertEquals(0, hub.numClients());
    }

    @Test
    void userLimitCountsEveryForm() {
        // The config is frozen when a node is built, so the limit is set on a config of its own before.
        HeraldConfig config = new HeraldConfig();
        config.client.userConnectionLimit = 2;
        try (TestNode limited = new TestNode(config)) {
            limited.connectToken("t7", "7", "", 0, null, List.of());
            ClientSession a = limited.connectBidi("websocket", "t7", null, null);
            ClientSession b = limited.connectBidi("websocket", "t7", null, null);
            ClientSession c = limited.connectBidi("websocket", "t7", null, null);
            assertTrue(a.connected());
            assertTrue(b.connected());
            assertFalse(c.connected());
            assertEquals(List.of(a, b), limited.node.hub().userSessions("7"));
        }
    }

    @Test
    void shardsSpreadSequentialUserIds() {
        int[] counts = new int[64];
        for (int i = 0; i < 64_000; i++) {
            counts[UserIndex.shardIndex("u" + i)]++;
        }
        for (int c : counts) {
            assertTrue(c > 500 && c < 1500, "shard with " + c + " of 64,000 users");
        }
    }
}
