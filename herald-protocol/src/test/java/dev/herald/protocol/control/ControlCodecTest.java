package dev.herald.protocol.control;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.herald.protocol.StreamPosition;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Control messages survive the wire, tolerate what a later release adds, and refuse damage cleanly. */
class ControlCodecTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final List<ControlMessage> FULL = List.of(
            new ControlMessage.NodeInfo("node-a", "host-1", "0.1.0", 10_000, 4_000, 25_000, 900, 86_400),
            new ControlMessage.Disconnect("node-a", "app1", "42", "c1", "s1", List.of("keep-1", "", "keep-2"),
                    4503, "go away ✓"),
            new ControlMessage.Subscribe("node-a", "app1", "42", "news:1", "c1", "s1", utf8("{\"i\":1}"),
                    utf8("{\"d\":2}"), new StreamPosition(1L << 40, "epoch-x"), 1_900_000_000L,
                    new ControlMessage.Subscribe.Override(true, false, null, true, null)),
            new ControlMessage.Unsubscribe("node-a", "app1", "42", "news:1", "c1", "s1"),
            new ControlMessage.Refresh("node-a", "app1", "42", "c1", "s1", true, 1_900_000_000L, utf8("{}")),
            new ControlMessage.TerminateConnections("node-a", "pusher-app", "user-7"),
            new ControlMessage.SurveyRequest("node-a", Long.MAX_VALUE, "channels", utf8("pattern*")),
            ControlMessage.SurveyReply.answer("node-b", 7, utf8("{\"channels\":{}}")),
            ControlMessage.SurveyReply.failure("node-b", 8, "not supported"));

    private static final List<ControlMessage> MINIMAL = List.of(
            new ControlMessage.NodeInfo("n", null, null, 0, 0, 0, 0, 0),
            new ControlMessage.Disconnect("n", null, null, null, null, null, 0, null),
            new ControlMessage.Subscribe("n", null, null, "ch", null, null, null, null, null, 0, null),
            new ControlMessage.Unsubscribe("n", null, null, "ch", null, null),
            new ControlMessage.Refresh("n", null, "u", null, null, false, 0, null),
            new ControlMessage.TerminateConnections("n", null, "u"),
            new ControlMessage.SurveyRequest("n", 0, "", null),
            ControlMessage.SurveyReply.answer("n", 0, null));

    @Test
    void everyMessageRoundTripsWithEveryFieldSet() throws Exception {
        for (ControlMessage message : FULL) {
            assertEquals(message, ControlCodec.decode(ControlCodec.encode(message)), message.getClass().getName());
        }
    }

    @Test
    void everyMessageRoundTripsWithItsFieldsAbsent() throws Exception {
        for (ControlMessage message : MINIMAL) {
            assertEquals(message, ControlCodec.decode(ControlCodec.encode(message)), message.getClass().getName());
        }
    }

    @Test
    void absentAndEmptyPayloadsStayApart() throws Exception {
        var kept = (ControlMessage.Refresh) ControlCodec.decode(ControlCodec.encode(
                new ControlMessage.Refresh("n", "", "u", "", "", false, 0, null)));
        var emptied = (ControlMessage.Refresh) ControlCodec.decode(ControlCodec.encode(
                new ControlMessage.Refresh("n", "", "u", "", "", false, 0, new byte[0])));
        assertNull(kept.info(), "null info keeps the connection's info");
        assertArrayEquals(new byte[0], emptied.info());
        var partial = (ControlMessage.Subscribe) ControlCodec.decode(ControlCodec.encode(
                new ControlMessage.Subscribe("n", "", "u", "c", "", "", null, null, null, 0,
                        new ControlMessage.Subscribe.Override(null, false, null, null, null))));
        assertEquals(new ControlMessage.Subscribe.Override(null, false, null, null, null), partial.override(),
                "an override set to false is not an override left out");
    }

    @Test
    void aSurveyReplyIsFailedOnlyWithAnError() {
        assertTrue(ControlMessage.SurveyReply.failure("n", 1, "").failed());
        assertEquals(false, ControlMessage.SurveyReply.answer("n", 1, utf8("x")).failed());
    }

    @Test
    void fieldsAddedByALaterReleaseAreSkipped() throws Exception {
        var original = (ControlMessage.Disconnect) FULL.get(1);
        byte[] encoded = ControlCodec.encode(original);
        // A later release appends fields of every wire type to the body and to the envelope.
        byte[] body = concat(field(encoded, ControlCodec.ENV_BODY), unknownFields());
        byte[] later = concat(envelope(1, ControlCodec.DISCONNECT, "node-a", body), unknownFields());
        assertEquals(original, ControlCodec.decode(later));
    }

    @Test
    void aTypeAddedByALaterReleaseDecodesAsUnknown() throws Exception {
        ControlMessage decoded = ControlCodec.decode(envelope(1, 42, "node-z", utf8("whatever it holds")));
        assertEquals(new ControlMessage.Unknown("node-z", 42, 1), decoded);
    }

    @Test
    void aHigherEnvelopeVersionDecodesAsUnknownNeverAsAWrongMessage() throws Exception {
        byte[] body = field(ControlCodec.encode(FULL.get(1)), ControlCodec.ENV_BODY);
        ControlMessage decoded = ControlCodec.decode(envelope(2, ControlCodec.DISCONNECT, "node-z", body));
        assertEquals(new ControlMessage.Unknown("node-z", ControlCodec.DISCONNECT, 2), decoded);
    }

    @Test
    void anUnknownMessageCannotBeEncoded() {
        assertThrows(IllegalArgumentException.class,
                () -> ControlCodec.encode(new ControlMessage.Unknown("n", 42, 1)));
    }

    @Test
    void damagedInputFailsWithTheCodecException() throws Exception {
        byte[] valid = ControlCodec.encode(FULL.get(2));
        List<byte[]> damaged = List.of(
                new byte[0],
                utf8("{\"json\": true}"),
                // envelope sender claiming 2^31-1 bytes when 3 follow: refused before any allocation
                new byte[]{0x08, 0x01, 0x10, 0x01, 0x1A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07,
                        'a', 'b', 'c'},
                // a varint that never ends
                new byte[]{0x08, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                        (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF},
                // the version sent as a string: a known field with the wrong wire type
                new byte[]{0x0A, 0x01, '1'},
                // a deep nest of groups
                repeat((byte) 0x2B, 100_000),
                // valid protobuf but no envelope: no version, type or sender
                new byte[]{(byte) 0xA8, 0x06, 0x01},
                // an invalid UTF-8 sender
                concat(new byte[]{0x08, 0x01, 0x10, 0x01, 0x1A, 0x02}, new byte[]{(byte) 0xC3, (byte) 0x28}),
                Arrays.copyOf(valid, valid.length - 1));
        for (byte[] bytes : damaged) {
            assertThrows(ControlCodecException.class, () -> ControlCodec.decode(bytes), Arrays.toString(
                    Arrays.copyOf(bytes, Math.min(bytes.length, 16))));
        }
        assertThrows(ControlCodecException.class, () -> ControlCodec.decode(null));
    }

    @Test
    void everyTruncationInsideTheBodyFails() throws Exception {
        byte[] valid = ControlCodec.encode(FULL.get(2));
        int bodyStart = valid.length - field(valid, ControlCodec.ENV_BODY).length;
        for (int length = bodyStart; length < valid.length; length++) {
            byte[] cut = Arrays.copyOf(valid, length);
            assertThrows(ControlCodecException.class, () -> ControlCodec.decode(cut), "cut at " + length);
        }
    }

    @Test
    void randomBytesNeverEscapeAsAnotherException() {
        Random random = new Random(11);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[1 + random.nextInt(64)];
            random.nextBytes(bytes);
            try {
                // Random bytes can by chance form an envelope; what matters is that nothing else is thrown.
                ControlCodec.decode(bytes);
            } catch (ControlCodecException expected) {
                // the clean failure
            }
        }
    }

    @Test
    void inputAboveTheLimitIsRefusedUnread() {
        byte[] huge = new byte[ControlCodec.MAX_BYTES + 1];
        ControlCodecException e = assertThrows(ControlCodecException.class, () -> ControlCodec.decode(huge));
        assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
    }

    @Test
    void theEnvelopeCarriesVersionTypeAndSender() throws Exception {
        byte[] bytes = ControlCodec.encode(FULL.get(5));
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        assertEquals((1 << 3) | WireFormat.WIRETYPE_VARINT, in.readTag());
        assertEquals(ControlCodec.VERSION, in.readUInt32());
        assertEquals((2 << 3) | WireFormat.WIRETYPE_VARINT, in.readTag());
        assertEquals(ControlCodec.TERMINATE_CONNECTIONS, in.readUInt32());
        assertEquals((3 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED, in.readTag());
        assertEquals("node-a", in.readString());
        var decoded = assertInstanceOf(ControlMessage.TerminateConnections.class, ControlCodec.decode(bytes));
        assertEquals("node-a", decoded.sender());
    }

    /** Fields of each wire type a later release might add: varint, fixed64, length-delimited, fixed32. */
    private static byte[] unknownFields() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeUInt64(99, 123_456_789L);
        out.writeFixed64(100, -1L);
        out.writeString(101, "labels and more");
        out.writeFixed32(102, 7);
        out.flush();
        return bytes.toByteArray();
    }

    private static byte[] envelope(int version, int type, String sender, byte[] body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeUInt32(1, version);
        out.writeUInt32(2, type);
        out.writeString(3, sender);
        out.writeByteArray(4, body);
        out.flush();
        return bytes.toByteArray();
    }

    /** The bytes of one length-delimited field of a message. */
    private static byte[] field(byte[] message, int number) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(message);
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (WireFormat.getTagFieldNumber(tag) == number) {
                return in.readByteArray();
            }
            in.skipField(tag);
        }
        throw new AssertionError("no field " + number);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] repeat(byte value, int count) {
        byte[] out = new byte[count];
        Arrays.fill(out, value);
        return out;
    }
}
