package dev.herald.protocol;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Test-only protobuf helpers without generated classes: {@link Msg} reads a message field by field number
 * (protobuf-java's schema-less {@link UnknownFieldSet}), {@link Builder} writes one by hand.
 */
final class Proto {
    private Proto() {
    }

    /** Strips the varint length prefix of an encoded element, checking that it covers the rest exactly. */
    static byte[] unframe(byte[] element) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(element);
            int length = in.readRawVarint32();
            assertEquals(element.length - in.getTotalBytesRead(), length, "length prefix");
            return in.readRawBytes(length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Msg parseElement(byte[] element) {
        return Msg.parse(unframe(element));
    }

    record Msg(UnknownFieldSet fields) {
        static Msg parse(byte[] bytes) {
            try {
                return new Msg(UnknownFieldSet.parseFrom(bytes));
            } catch (InvalidProtocolBufferException e) {
                throw new UncheckedIOException(e);
            }
        }

        static Msg parse(ByteString bytes) {
            return parse(bytes.toByteArray());
        }

        Set<Integer> numbers() {
            return new TreeSet<>(fields.asMap().keySet());
        }

        void assertFields(Integer... expected) {
            assertEquals(new TreeSet<>(List.of(expected)), numbers());
        }

        long varint(int field) {
            List<Long> values = fields.getField(field).getVarintList();
            assertEquals(1, values.size(), "varint field " + field);
            return values.getFirst();
        }

        ByteString lengthDelimited(int field) {
            List<ByteString> values = all(field);
            assertEquals(1, values.size(), "length-delimited field " + field);
            return values.getFirst();
        }

        List<ByteString> all(int field) {
            assertTrue(fields.hasField(field), "field " + field + " present");
            return fields.getField(field).getLengthDelimitedList();
        }

        String string(int field) {
            return lengthDelimited(field).toStringUtf8();
        }

        Msg message(int field) {
            return parse(lengthDelimited(field));
        }
    }

    static Builder builder() {
        return new Builder();
    }

    static final class Builder {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

        Builder varint(int field, long value) {
            return write(() -> out.writeUInt64(field, value));
        }

        Builder string(int field, String value) {
            return write(() -> out.writeString(field, value));
        }

        Builder bytes(int field, byte[] value) {
            return write(() -> out.writeByteArray(field, value));
        }

        Builder bytes(int field, String utf8) {
            return bytes(field, utf8.getBytes(StandardCharsets.UTF_8));
        }

        Builder message(int field, Builder message) {
            return bytes(field, message.build());
        }

        Builder fixed32(int field, int value) {
            return write(() -> out.writeFixed32(field, value));
        }

        Builder fixed64(int field, long value) {
            return write(() -> out.writeFixed64(field, value));
        }

        Builder raw(byte... raw) {
            return write(() -> out.writeRawBytes(raw));
        }

        byte[] build() {
            return write(out::flush).bytes.toByteArray();
        }

        /** The message with its varint length prefix, as one element of a frame. */
        byte[] delimited() {
            byte[] body = build();
            ByteArrayOutputStream framed = new ByteArrayOutputStream();
            CodedOutputStream o = CodedOutputStream.newInstance(framed);
            try {
                o.writeUInt32NoTag(body.length);
                o.writeRawBytes(body);
                o.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return framed.toByteArray();
        }

        private Builder write(IoAction action) {
            try {
                action.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
