package dev.herald.bench.load;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The publication payload: {@code {"ts":<unix micros>,"m":<1 measured, 0 warm-up>,"seq":<n>,"pad":"..."}} padded to
 * a given size. The timestamp is wall-clock (CLOCK_REALTIME) microseconds, so publisher and receivers may be
 * different processes on this machine.
 */
public final class Payloads {
    private static final byte[] TS = "\"ts\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] M = ",\"m\":".getBytes(StandardCharsets.US_ASCII);

    private Payloads() {
    }

    /** Wall-clock microseconds since the epoch. */
    public static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** The payload JSON, at least {@code size} bytes long (padding fills up to it). */
    public static byte[] payload(long tsMicros, boolean measured, long seq, int size) {
        String head = "{\"ts\":" + tsMicros + ",\"m\":" + (measured ? 1 : 0) + ",\"seq\":" + seq + ",\"pad\":\"";
        int pad = Math.max(0, size - head.length() - 2);
        return (head + "x".repeat(pad) + "\"}").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Finds the payload timestamp in {@code buf[from, to)}. Returns -1 when there is none, else the timestamp
     * shifted left by one with the measured flag in the low bit.
     */
    static long find(ByteBuf buf, int from, int to) {
        int at = timestampIndex(buf, from, to);
        return at < 0 ? -1 : valueAt(buf, at, to);
    }

    /** Where the first {@code "ts":} field in {@code buf[from, to)} starts, or -1. */
    static int timestampIndex(ByteBuf buf, int from, int to) {
        return indexOf(buf, from, to, TS);
    }

    /** Whether the {@code "ts":} field starts at {@code at} (and fits before {@code to}). */
    static boolean timestampAt(ByteBuf buf, int at, int to) {
        return at >= 0 && at + TS.length < to && matches(buf, at, TS);
    }

    /**
     * The timestamp whose {@code "ts":} field starts at {@code at}, as {@link #find} returns it: -1 when no digits
     * follow, else the timestamp shifted left by one with the measured flag in the low bit.
     */
    static long valueAt(ByteBuf buf, int at, int to) {
        int p = at + TS.length;
        long ts = 0;
        int digits = 0;
        while (p < to) {
            byte b = buf.getByte(p);
            if (b < '0' || b > '9') {
                break;
            }
            ts = ts * 10 + (b - '0');
            p++;
            digits++;
        }
        if (digits == 0) {
            return -1;
        }
        boolean measured = p + M.length < to && matches(buf, p, M) && buf.getByte(p + M.length) == '1';
        return (ts << 1) | (measured ? 1 : 0);
    }

    static int indexOf(ByteBuf buf, int from, int to, byte[] needle) {
        byte first = needle[0];
        int end = to - needle.length + 1;
        for (int i = from; i < end; i++) {
            i = buf.indexOf(i, end, first); // Netty's word-at-a-time search for the first byte
            if (i < 0) {
                return -1;
            }
            if (matches(buf, i, needle)) {
                return i;
            }
        }
        return -1;
    }

    static boolean matches(ByteBuf buf, int at, byte[] needle) {
        for (int j = 0; j < needle.length; j++) {
            if (buf.getByte(at + j) != needle[j]) {
                return false;
            }
        }
        return true;
    }
}
