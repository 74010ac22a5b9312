package dev.herald.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable UTF-8 JSON writer that produces the same bytes as Centrifugo's encoder (centrifugal/protocol
 * {@code encode_writer.go}): inside strings, {@code < > &}, U+2028, U+2029 and control characters other than
 * newline, carriage return and tab are written as backslash-u escapes with lowercase hex digits, and raw values
 * ({@code bytes} fields) are copied as they are. Jackson's generator differs on these points (it escapes with
 * uppercase hex and short forms, and leaves HTML characters alone), which is why encoding does not use it.
 *
 * <p>Commas are placed by one flag: a value or a closing bracket sets it, an opening bracket or a field name
 * clears it, so nesting needs no stack.
 */
final class JsonOut {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    /** ASCII bytes that Centrifugo writes inside a string without escaping. */
    private static final boolean[] SAFE = new boolean[128];

    static {
        for (int c = 0x20; c < 0x80; c++) {
            SAFE[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&';
        }
    }

    private byte[] buf;
    private int len;
    private boolean needComma;

    JsonOut(int capacityHint) {
        buf = new byte[Math.max(16, capacityHint)];
    }

    /** Pre-encodes {@code "name":} so field names cost one array copy. */
    static byte[] name(String name) {
        return ("\"" + name + "\":").getBytes(StandardCharsets.US_ASCII);
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    JsonOut beginObject() {
        separate();
        put((byte) '{');
        needComma = false;
        return this;
    }

    JsonOut endObject() {
        put((byte) '}');
        needComma = true;
        return this;
    }

    JsonOut beginArray() {
        separate();
        put((byte) '[');
        needComma = false;
        return this;
    }

    JsonOut endArray() {
        put((byte) ']');
        needComma = true;
        return this;
    }

    /** Writes a pre-encoded field name from {@link #name(String)}. */
    JsonOut field(byte[] encodedName) {
        separate();
        put(encodedName, 0, encodedName.length);
        needComma = false;
        return this;
    }

    /** Writes a dynamic field name (a map key), escaped like any string. */
    JsonOut key(String name) {
        string(name);
        put((byte) ':');
        needComma = false;
        return this;
    }

    JsonOut bool(boolean value) {
        separate();
        byte[] b = value ? TRUE : FALSE;
        put(b, 0, b.length);
        needComma = true;
        return this;
    }

    JsonOut number(long value) {
        separate();
        if (value >= 0 && value < 10) {
            put((byte) ('0' + value));
        } else {
            ascii(Long.toString(value));
        }
        needComma = true;
        return this;
    }

    /** Writes a Go {@code uint64}: negative Java values stand for the upper half of the unsigned range. */
    JsonOut unsigned(long value) {
        if (value >= 0) {
            return number(value);
        }
        separate();
        ascii(Long.toUnsignedString(value));
        needComma = true;
        return this;
    }

    /** Writes a Go {@code uint32} held in a Java int. */
    JsonOut unsigned(int value) {
        return number(Integer.toUnsignedLong(value));
    }

    /** Writes pre-validated JSON as it is; an empty or null value is written as {@code null}, as Go does. */
    JsonOut raw(byte[] json) {
        separate();
        if (json == null || json.length == 0) {
            ascii("null");
        } else {
            put(json, 0, json.length);
        }
        needComma = true;
        return this;
    }

    /** Writes a string value; null is written as {@code ""}. */
    JsonOut string(String s) {
        separate();
        ensure(2 + (s == null ? 0 : s.length()));
        buf[len++] = '"';
        if (s != null) {
            writeChars(s);
        }
        ensure(1);
        buf[len++] = '"';
        needComma = true;
        return this;
    }

    private void writeChars(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (SAFE[c]) {
                    ensure(1);
                    buf[len++] = (byte) c;
                } else {
                    escapeAscii(c);
                }
            } else if (c < 0x800) {
                ensure(2);
                buf[len++] = (byte) (0xC0 | (c >> 6));
                buf[len++] = (byte) (0x80 | (c & 0x3F));
            } else if (c == '\u2028' || c == '\u2029') {
                ascii(c == '\u2028' ? "\\u2028" : "\\u2029");
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                ensure(4);
                buf[len++] = (byte) (0xF0 | (cp >> 18));
                buf[len++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                buf[len++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                buf[len++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                // A lone surrogate is not encodable; Go replaces invalid UTF-8 the same way.
                ascii("\\ufffd");
            } else {
                ensure(3);
                buf[len++] = (byte) (0xE0 | (c >> 12));
                buf[len++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                buf[len++] = (byte) (0x80 | (c & 0x3F));
            }
        }
    }

    private void escapeAscii(char c) {
        ensure(6);
        buf[len++] = '\\';
        switch (c) {
            case '"', '\\' -> buf[len++] = (byte) c;
            case '\n' -> buf[len++] = 'n';
            case '\r' -> buf[len++] = 'r';
            case '\t' -> buf[len++] = 't';
            default -> {
                buf[len++] = 'u';
                buf[len++] = '0';
                buf[len++] = '0';
                buf[len++] = HEX[c >> 4];
                buf[len++] = HEX[c & 0xF];
            }
        }
    }

    private void separate() {
        if (needComma) {
            put((byte) ',');
        }
    }

    private void ascii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) s.charAt(i);
        }
    }

    private void put(byte b) {
        ensure(1);
        buf[len++] = b;
    }

    private void put(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }
}
