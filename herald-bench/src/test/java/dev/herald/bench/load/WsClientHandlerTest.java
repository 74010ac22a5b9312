package dev.herald.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generator's JSON scanning: every publication is counted with its own timestamp, whatever the layout. */
class WsClientHandlerTest {
    private static final long NOW = Payloads.nowMicros();

    private final List<long[]> deliveries = new ArrayList<>();
    private final List<String> others = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    private final ConnectionEvents events = new ConnectionEvents() {
        @Override
        public void wsOpen() {
        }

        @Override
        public void connected(long micros) {
        }

        @Override
        public void ready(long micros) {
        }

        @Override
        public void failed(String reason) {
            failures.add(reason);
        }

        @Override
        public void dropped(String reason) {
            failures.add(reason);
        }

        @Override
        public void delivery(long latencyMicros, boolean measured) {
            deliveries.add(new long[]{latencyMicros, measured ? 1 : 0});
        }

        @Override
        public void ping() {
            others.add("ping");
        }

        @Override
        public void otherPush(String kind) {
            others.add(kind);
        }
    };

    private EmbeddedChannel readyChannel() {
        WsClientHandler handler = new WsClientHandler(events, new byte[]{'x'}, new byte[]{'y'}, List.of("bench"),
                false, System.nanoTime());
        EmbeddedChannel ch = new EmbeddedChannel(handler);
        ch.writeInbound(ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"));
        ch.writeInbound(textFrame("{\"id\":1,\"connect\":{\"client\":\"c\"}}"));
        ch.writeInbound(textFrame("{\"id\":2,\"subscribe\":{}}"));
        assertTrue(handler.ready(), "connected and subscribed");
        return ch;
    }

    private static String publication(String channel, long ts, boolean measured, long seq) {
        String data = new String(Payloads.payload(ts, measured, seq, 64), StandardCharsets.US_ASCII);
        return "{\"push\":{\"channel\":\"" + channel + "\",\"pub\":{\"data\":" + data + ",\"offset\":" + seq + "}}}";
    }

    @Test
    void countsEveryPublicationOfABatchWithItsOwnTimestamp() {
        EmbeddedChannel ch = readyChannel();
        String batch = String.join("\n",
                publication("bench", NOW - 5_000, true, 1),
                publication("bench", NOW - 4_000, false, 2),
                publication("bench", NOW - 3_000, true, 3));
        ch.writeInbound(textFrame(batch));
        ch.writeInbound(textFrame(publication("bench", NOW - 2_000, true, 4)));

        assertEquals(4, deliveries.size());
        long[] expectedAge = {5_000, 4_000, 3_000, 2_000};
        long[] expectedMeasured = {1, 0, 1, 1};
        for (int i = 0; i < 4; i++) {
            long latency = deliveries.get(i)[0];
            // the handler reads the clock once per read, after NOW
            assertTrue(latency >= expectedAge[i] && latency < expectedAge[i] + 60_000_000L,
                    "latency " + latency + " of publication " + i);
            assertEquals(expectedMeasured[i], deliveries.get(i)[1], "measured flag of publication " + i);
        }
        assertTrue(failures.isEmpty(), failures.toString());
    }

    @Test
    void aLayoutChangeAndOtherMessagesAreStillRecognised() {
        EmbeddedChannel ch = readyChannel();
        String batch = String.join("\n",
                publication("bench", NOW - 1_000, true, 1),
                "{\"push\":{\"channel\":\"bench\",\"join\":{\"info\":{\"user\":\"u\",\"client\":\"c\"}}}}",
                publication("a-much-longer-channel-name", NOW - 7_000, true, 2),
                "{}",
                publication("bench", NOW - 9_000, false, 3),
                // a publication whose data has no timestamp, at the cached offsets' distance
                "{\"push\":{\"channel\":\"bench\",\"pub\":{\"data\":{\"tx\":1,\"m\":1,\"seq\":0}}}}");
        ch.writeInbound(textFrame(batch));

        assertEquals(3, deliveries.size(), "three publications with a timestamp");
        assertTrue(deliveries.get(0)[0] >= 1_000 && deliveries.get(0)[0] < 60_000_000L);
        assertTrue(deliveries.get(1)[0] >= 7_000 && deliveries.get(1)[0] < 60_000_000L);
        assertTrue(deliveries.get(2)[0] >= 9_000 && deliveries.get(2)[0] < 60_000_000L);
        assertEquals(0, deliveries.get(2)[1]);
        assertEquals(List.of("push", "ping", "push"), others);
        assertTrue(failures.isEmpty(), failures.toString());
    }

    @Test
    void fieldsAtTheCachedOffsetsMustBelongToTheSameMessage() {
        EmbeddedChannel ch = readyChannel();
        // The second message is a push whose "pub": sits where the first one's did, but it ends before the cached
        // "ts": offset; the third message has a "ts": field exactly there. That is not a publication.
        String first = publication("bench", NOW - 1_000, true, 1);
        String second = "{\"push\":{\"channel\":\"bench\",\"pub\":1}";
        int tsInThird = first.indexOf("\"ts\":") - (second.length() + 1);
        String third = " ".repeat(tsInThird) + "\"ts\":" + (NOW - 2_000) + ",\"m\":1";
        assertEquals(first.indexOf("\"pub\":"), second.indexOf("\"pub\":"), "the test's premise");
        ch.writeInbound(textFrame(String.join("\n", first, second, third)));

        assertEquals(1, deliveries.size(), "only the first message is a publication with a timestamp");
        assertEquals(List.of("push"), others);
        assertTrue(failures.isEmpty(), failures.toString());
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** An unmasked server text frame. */
    private static ByteBuf textFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteBuf buf = Unpooled.buffer(payload.length + 4);
        buf.writeByte(0x81);
        if (payload.length < 126) {
            buf.writeByte(payload.length);
        } else {
            buf.writeByte(126);
            buf.writeShort(payload.length);
        }
        return buf.writeBytes(payload);
    }
}
