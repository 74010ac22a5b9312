package dev.herald.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WebSocketFrameReaderTest {
    private static final ByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);
    private static final int TEXT = 0x1;
    private static final int BINARY = 0x2;
    private static final int CONTINUATION = 0x0;
    private static final int CLOSE = 0x8;
    private static final int PING = 0x9;
    private static final int PONG = 0xA;

    /** Records what the reader reports, one line per event. */
    private static final class Events implements WebSocketFrameReader.Listener {
        final List<String> seen = new ArrayList<>();

        @Override
        public void onMessage(boolean text, byte[] payload) {
            seen.add((text ? "text:" : "binary:") + new String(payload, StandardCharsets.ISO_8859_1));
        }

        @Override
        public void onPing(byte[] payload) {
            seen.add("ping:" + new String(payload, StandardCharsets.ISO_8859_1));
        }

        @Override
        public void onClose(int code, String reason) {
            seen.add("close:" + code + ":" + reason);
        }

        @Override
        public void onError(int code, String reason) {
            seen.add("error:" + code);
        }
    }

    private static byte[] frame(boolean fin, int rsv, int opcode, boolean masked, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
        int mask = masked ? 0x80 : 0;
        int n = payload.length;
        if (n < 126) {
            out.write(mask | n);
        } else if (n <= 0xFFFF) {
            out.write(mask | 126);
            out.write(n >>> 8);
            out.write(n);
        } else {
            out.write(mask | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) n >>> shift));
            }
        }
        byte[] key = {0x37, (byte) 0xfa, 0x21, 0x3d};
        if (masked) {
            out.write(key, 0, 4);
        }
        for (int i = 0; i < n; i++) {
            out.write(masked ? payload[i] ^ key[i & 3] : payload[i]);
        }
        return out.toByteArray();
    }

    private static byte[] text(String s) {
        return frame(true, 0, TEXT, true, s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }

    private static List<String> read(int limit, byte[]... reads) {
        WebSocketFrameReader reader = new WebSocketFrameReader(limit);
        Events events = new Events();
        for (byte[] r : reads) {
            reader.read(Unpooled.copiedBuffer(r), ALLOC, events);
        }
        return events.seen;
    }

    @Test
    void readsMaskedTextAndBinaryFrames() {
        assertEquals(List.of("text:{\"id\":1}", "binary:\u0001\u0002"),
                read(1024, concat(text("{\"id\":1}"), frame(true, 0, BINARY, true, new byte[] {1, 2}))));
    }

    @Test
    void framesSplitAtEveryByteReadTheSameAsWhole() {
        byte[] wire = concat(text("hello"), frame(true, 0, PING, true, "p".getBytes()),
                frame(true, 0, TEXT, true, "x".repeat(300).getBytes()), text(""));
        List<String> whole = read(1024, wire);
        byte[][] single = new byte[wire.length][];
        for (int i = 0; i < wire.length; i++) {
            single[i] = new byte[] {wire[i]};
        }
        assertEquals(whole, read(1024, single));
        assertEquals(List.of("text:hello", "ping:p", "text:" + "x".repeat(300), "text:"), whole);
        Random random = new Random(7);
        for (int round = 0; round < 50; round++) {
            List<byte[]> chunks = new ArrayList<>();
            for (int at = 0; at < wire.length; ) {
                int n = Math.min(wire.length - at, 1 + random.nextInt(40));
                chunks.add(Arrays.copyOfRange(wire, at, at + n));
                at += n;
            }
            assertEquals(whole, read(1024, chunks.toArray(byte[][]::new)));
        }
    }

    @Test
    void reassemblesFragmentsWithControlFramesBetween() {
        assertEquals(List.of("ping:", "text:abcdef"), read(1024,
                frame(false, 0, TEXT, true, "ab".getBytes()),
                frame(true, 0, PING, true, new byte[0]),
                frame(false, 0, CONTINUATION, true, "cd".getBytes()),
                frame(true, 0, PONG, true, "ignored".getBytes()),
                frame(true, 0, CONTINUATION, true, "ef".getBytes())));
    }

    @Test
    void protocolViolationsAre1002() {
        assertEquals(List.of("error:1002"), read(1024, frame(true, 0, TEXT, false, "a".getBytes())));
        assertEquals(List.of("error:1002"), read(1024, frame(true, 4, TEXT, true, "a".getBytes())));
        assertEquals(List.of("error:1002"), read(1024, frame(true, 0, 0x3, true, "a".getBytes())));
        assertEquals(List.of("error:1002"), read(1024, frame(true, 0, 0xB, true, new byte[0])));
        assertEquals(List.of("error:1002"), read(1024, frame(false, 0, PING, true, new byte[0])));
        assertEquals(List.of("error:1002"), read(1024, frame(true, 0, PING, true, new byte[126])));
        assertEquals(List.of("error:1002"), read(1024, frame(true, 0, CONTINUATION, true, "a".getBytes())));
        assertEquals(List.of("error:1002"), read(1024, frame(false, 0, TEXT, true, "a".getBytes()),
                frame(true, 0, TEXT, true, "b".getBytes())));
    }

    @Test
    void messagesPastTheLimitAre1009BeforeTheirPayloadArrives() {
        assertEquals(List.of("text:" + "y".repeat(200)), read(200, text("y".repeat(200))));
        byte[] tooBig = text("y".repeat(201));
        assertEquals(List.of("error:1009"), read(200, Arrays.copyOf(tooBig, 4)));
        assertEquals(List.of("error:1009"), read(200, frame(false, 0, TEXT, true, new byte[150]),
                frame(true, 0, CONTINUATION, true, new byte[51])));
        byte[] big = new byte[70_000];
        Arrays.fill(big, (byte) 'z');
        assertEquals(List.of("binary:" + "z".repeat(70_000)), read(70_000, frame(true, 0, BINARY, true, big)));
    }

    @Test
    void invalidUtf8TextIs1007ButBinaryIsBytes() {
        byte[] bad = {'a', (byte) 0xC0, (byte) 0x80};
        assertEquals(List.of("error:1007"), read(1024, frame(true, 0, TEXT, true, bad)));
        assertEquals(List.of("binary:a\u00C0\u0080"), read(1024, frame(true, 0, BINARY, true, bad)));
    }

    @Test
    void closeFramesAreReportedAndEndReading() {
        byte[] normal = concat(new byte[] {0x03, (byte) 0xE8}, "bye".getBytes());
        assertEquals(List.of("close:1000:bye"), read(1024, concat(frame(true, 0, CLOSE, true, normal),
                text("after close"))));
        assertEquals(List.of("close:1005:"), read(1024, frame(true, 0, CLOSE, true, new byte[0])));
        assertEquals(List.of("error:1002"), read(1024, frame(true, 0, CLOSE, true, new byte[] {0x03})));
        assertEquals(List.of("error:1002"), read(1024, frame(true, 0, CLOSE, true, new byte[] {0x03, (byte) 0xED})));
        assertEquals(List.of("error:1007"), read(1024, frame(true, 0, CLOSE, true,
                new byte[] {0x03, (byte) 0xE8, (byte) 0xFF})));
    }

    @Test
    void buffersAreReleasedWhenDoneOrReleased() {
        WebSocketFrameReader reader = new WebSocketFrameReader(1024);
        Events events = new Events();
        ByteBuf whole = Unpooled.copiedBuffer(text("abc"));
        reader.read(whole, ALLOC, events);
        assertEquals(0, whole.refCnt());
        byte[] half = Arrays.copyOf(text("abcdef"), 5);
        ByteBuf partial = Unpooled.copiedBuffer(half);
        reader.read(partial, ALLOC, events);
        assertEquals(0, partial.refCnt());
        reader.release();
        ByteBuf late = Unpooled.copiedBuffer(text("x"));
        reader.read(late, ALLOC, events);
        assertEquals(0, late.refCnt());
        assertEquals(List.of("text:abc"), events.seen);
    }

    @Test
    void utf8ValidationFollowsRfc3629() {
        assertTrue(valid("plain ascii"));
        assertTrue(valid("h\u00e9llo \u20ac \ud83d\ude00"));
        assertFalse(valid(0xC0, 0x80));          // overlong
        assertFalse(valid(0xE0, 0x80, 0x80));    // overlong 3-byte
        assertFalse(valid(0xED, 0xA0, 0x80));    // surrogate
        assertFalse(valid(0xF4, 0x90, 0x80, 0x80)); // past U+10FFFF
        assertFalse(valid(0xF0, 0x80, 0x80, 0x80)); // overlong 4-byte
        assertFalse(valid(0xE2, 0x82));          // truncated
        assertFalse(valid(0x80));                // lone continuation
        assertFalse(valid(0xF8, 0x80, 0x80, 0x80, 0x80));
    }

    private static boolean valid(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return WebSocketFrameReader.Utf8.isValid(b, 0, b.length);
    }

    private static boolean valid(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return WebSocketFrameReader.Utf8.isValid(b, 0, b.length);
    }
}
