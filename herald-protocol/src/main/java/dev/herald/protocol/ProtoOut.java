package dev.herald.protocol;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;

import java.io.IOException;
import java.util.Arrays;

/**
 * A protobuf writer driven twice by the same encoding code: the first pass only measures (and records the size
 * of every nested message in the order they open), the second writes into an array of the exact size, taking
 * each nested message's length prefix from that record. So one method per message describes both its size and
 * its bytes, and the output costs one allocation. Scalar fields with zero values are omitted (proto3); nested
 * messages are always written once opened, even when empty, so an empty result stays present.
 */
final class ProtoOut {
    private int[] sizes = new int[8];
    private int slotCount;
    private int[] openSlots = new int[8];
    private int[] openStarts = new int[8];
    private int[] openFields = new int[8];
    private int depth;
    private int measured;
    private CodedOutputStream out;
    private int nextSlot;

    /** Encodes one element: the message's varint length followed by the message written by {@code body}. */
    static byte[] encodeDelimited(Body body) {
        ProtoOut writer = new ProtoOut();
        body.write(writer);
        int length = writer.measured;
        byte[] bytes = new byte[CodedOutputStream.computeUInt32SizeNoTag(length) + length];
        writer.out = CodedOutputStream.newInstance(bytes);
        try {
            writer.out.writeUInt32NoTag(length);
            body.write(writer);
            writer.out.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException("protobuf size mismatch", e);
        }
        return bytes;
    }

    @FunctionalInterface
    interface Body {
        void write(ProtoOut out);
    }

    void begin(int field) {
        if (out == null) {
            if (depth == openSlots.length) {
                openSlots = Arrays.copyOf(openSlots, depth * 2);
                openStarts = Arrays.copyOf(openStarts, depth * 2);
                openFields = Arrays.copyOf(openFields, depth * 2);
            }
            if (slotCount == sizes.length) {
                sizes = Arrays.copyOf(sizes, slotCount * 2);
            }
            openSlots[depth] = slotCount++;
            openStarts[depth] = measured;
            openFields[depth] = field;
            depth++;
            return;
        }
        try {
            out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(sizes[nextSlot++]);
        } catch (IOException e) {
            throw overflow(e);
        }
    }

    void end() {
        if (out == null) {
            depth--;
            int size = measured - openStarts[depth];
            sizes[openSlots[depth]] = size;
            measured += CodedOutputStream.computeTagSize(openFields[depth])
                    + CodedOutputStream.computeUInt32SizeNoTag(size);
        }
    }

    /** An empty nested message: present on the wire with length 0. */
    void empty(int field) {
        begin(field);
        end();
    }

    void string(int field, String value) {
        if (value == null || value.isEmpty()) {
            return;
        }
        try {
            if (out == null) {
                measured += CodedOutputStream.computeStringSize(field, value);
            } else {
                out.writeString(field, value);
            }
        } catch (IOException e) {
            throw overflow(e);
        }
    }

    /** A string written even when empty, as a map key or value must be. */
    void stringAlways(int field, String value) {
        String v = value == null ? "" : value;
        try {
            if (out == null) {
                measured += CodedOutputStream.computeStringSize(field, v);
            } else {
                out.writeString(field, v);
            }
        } catch (IOException e) {
            throw overflow(e);
        }
    }

    void bytes(int field, byte[] value) {
        if (value == null || value.length == 0) {
            return;
        }
        try {
            if (out == null) {
                measured += CodedOutputStream.computeByteArraySize(field, value);
            } else {
                out.writeByteArray(field, value);
            }
        } catch (IOException e) {
            throw overflow(e);
        }
    }

    void bool(int field, boolean value) {
        if (!value) {
            return;
        }
        try {
            if (out == null) {
                measured += CodedOutputStream.computeBoolSize(field, true);
            } else {
                out.writeBool(field, true);
            }
        } catch (IOException e) {
            throw overflow(e);
        }
    }

    /** uint32: the int's bits are the unsigned value. */
    void uint32(int field, int value) {
        if (value == 0) {
            return;
        }
        try {
            if (out == null) {
                measured += CodedOutputStream.computeUInt32Size(field, value);
            } else {
                out.writeUInt32(field, value);
            }
        } catch (IOException e) {
            throw overflow(e);
        }
    }

    /** uint64 and int64 share the varint encoding of the long's bits. */
    void uint64(int field, long value) {
        if (value == 0) {
            return;
        }
        try {
            if (out == null) {
                measured += CodedOutputStream.computeUInt64Size(field, value);
            } else {
                out.writeUInt64(field, value);
            }
        } catch (IOException e) {
            throw overflow(e);
        }
    }

    void int64(int field, long value) {
        uint64(field, value);
    }

    private static IllegalStateException overflow(IOException e) {
        return new IllegalStateException("protobuf size mismatch", e);
    }
}
