package dev.herald.core.cluster;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writing and reading the small protobuf payloads of surveys (actions' counts, listings, emulation hand-offs).
 * Readers see each field once by number and skip the ones they do not know, so a later release may add fields.
 */
public final class Payloads {
    private Payloads() {
    }

    /** Writes the fields of one payload. */
    @FunctionalInterface
    public interface Writer {
        void write(CodedOutputStream out) throws IOException;
    }

    /** Reads one field; returns false to have it skipped. */
    @FunctionalInterface
    public interface FieldReader {
        boolean read(int field, CodedInputStream in) throws IOException;
    }

    public static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            writer.write(out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** @throws IllegalArgumentException for bytes that are not a protobuf message */
    public static void read(byte[] bytes, FieldReader reader) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (!reader.read(tag >>> 3, in)) {
                    in.skipField(tag);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed payload: " + e.getMessage(), e);
        }
    }

    /** Writes a string field unless it is null or empty (the reader's default). */
    public static void string(CodedOutputStream out, int field, String value) throws IOException {
        if (value != null && !value.isEmpty()) {
            out.writeString(field, value);
        }
    }
}
