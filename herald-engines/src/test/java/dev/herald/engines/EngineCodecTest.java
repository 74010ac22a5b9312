package dev.herald.engines;

import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.Publication;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class EngineCodecTest {
    private static final ClientInfo INFO = new ClientInfo("alice", "c1", "{\"a\":1}".getBytes(StandardCharsets.UTF_8),
            null);

    @Test
    void publicationRoundTripsWithThePositionAScriptWrote() {
        Publication p = new Publication("{\"x\":1}".getBytes(StandardCharsets.UTF_8), INFO, 0, Map.of("k", "v"),
                false, 1234, null);
        byte[] body = EngineCodec.encodePublication(p);
        // what the Lua script publishes once it has assigned offset 42 in epoch "abc"
        byte[] header = "p42:abc:".getBytes(StandardCharsets.US_ASCII);
        byte[] message = new byte[header.length + body.length];
        System.arraycopy(header, 0, message, 0, header.length);
        System.arraycopy(body, 0, message, header.length, body.length);

        EngineCodec.Message m = EngineCodec.decodeMessage(message);
        assertEquals(EngineCodec.PUBLICATION, m.kind());
        assertEquals(42, m.publication().offset());
        assertEquals(42, m.position().offset());
        assertEquals("abc", m.position().epoch());
        assertArrayEquals(p.data(), m.publication().data());
        assertEquals("alice", m.publication().info().user());
        assertArrayEquals(INFO.connInfo(), m.publication().info().connInfo());
        assertEquals(Map.of("k", "v"), m.publication().tags());
        assertEquals(1234, m.publication().time());
    }

    @Test
    void withoutHistoryThereIsNoPosition() {
        Publication p = new Publication(new byte[]{1, 2}, null, 0, null, false, 0, null);
        EngineCodec.Message m = EngineCodec.decodeMessage(
                EngineCodec.message(EngineCodec.PUBLICATION, EngineCodec.encodePublication(p)));
        assertNull(m.position());
        assertArrayEquals(new byte[]{1, 2}, m.publication().data());
        assertNull(m.publication().info());
    }

    @Test
    void joinAndLeaveCarryTheInfo() {
        EngineCodec.Message m = EngineCodec.decodeMessage(
                EngineCodec.message(EngineCodec.LEAVE, EngineCodec.encodeInfo(INFO)));
        assertEquals(EngineCodec.LEAVE, m.kind());
        assertEquals("c1", m.info().client());
    }

    @Test
    void garbageIsRefusedWithAnExceptionNotACrash() {
        Random random = new Random(7);
        for (int i = 0; i < 5_000; i++) {
            byte[] junk = new byte[random.nextInt(40)];
            random.nextBytes(junk);
            try {
                EngineCodec.decodeMessage(junk);
            } catch (IllegalArgumentException expected) {
                // the broker logs and drops such a message
            }
        }
    }
}
