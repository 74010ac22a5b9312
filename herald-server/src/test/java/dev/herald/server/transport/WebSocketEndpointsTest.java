package dev.herald.server.transport;

import dev.herald.core.codes.Disconnect;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertEquals;

class WebSocketEndpointsTest {
    /** An endpoint that is only compared by identity here. */
    private static final class Named implements WebSocketEndpoint<Object> {
        @Override
        public Object open(WebSocketUpgrade upgrade) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void onText(Object session, byte[] payload) {
        }

        @Override
        public void onBinary(Object session, byte[] payload) {
        }

        @Override
        public void onClosed(Object session, Disconnect reason) {
        }
    }

    @Test
    void exactPathsWinOverPrefixesAndPrefixesMatchWhatIsUnderThem() {
        Named exact = new Named();
        Named prefix = new Named();
        WebSocketEndpoints endpoints = new WebSocketEndpoints()
                .register("/app/special", List.of(), exact)
                .register("/app/", List.of("p1", "p2"), prefix)
                .snapshot();
        assertSame(exact, endpoints.find("/app/special").endpoint());
        assertSame(prefix, endpoints.find("/app/key").endpoint());
        assertSame(prefix, endpoints.find("/app/key/more").endpoint());
        assertArrayEquals(new String[] {"p1", "p2"}, endpoints.find("/app/key").subprotocols());
        assertNull(endpoints.find("/app"));
        assertNull(endpoints.find("/apps/key"));
        assertNull(endpoints.find("/"));
        assertEquals(Set.of("/app/special", "/app/"), endpoints.paths());
    }

    @Test
    void aSnapshotDoesNotSeeLaterRegistrations() {
        WebSocketEndpoints endpoints = new WebSocketEndpoints().register("/a", List.of(), new Named());
        WebSocketEndpoints snapshot = endpoints.snapshot();
        endpoints.register("/b", List.of(), new Named());
        assertNull(snapshot.find("/b"));
        assertThrows(UnsupportedOperationException.class, () -> snapshot.register("/c", List.of(), new Named()));
    }

    @Test
    void aPathIsTakenOnceAndStartsWithASlash() {
        WebSocketEndpoints endpoints = new WebSocketEndpoints().register("/a", List.of(), new Named());
        assertThrows(IllegalArgumentException.class, () -> endpoints.register("/a", List.of(), new Named()));
        assertThrows(IllegalArgumentException.class, () -> endpoints.register("a", List.of(), new Named()));
    }
}
