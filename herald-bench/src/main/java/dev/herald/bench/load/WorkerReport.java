package dev.herald.bench.load;

import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.util.Base64;

/** A worker's final status and its latency histograms (microseconds). */
public record WorkerReport(WorkerStatus status, Histogram measuredLatency, Histogram warmupLatency,
                           Histogram connectLatency, Histogram readyLatency) {

    static String encode(Histogram h) {
        ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(buf);
        byte[] bytes = new byte[n];
        buf.flip();
        buf.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    static Histogram decode(String b64) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(b64)), 0);
        } catch (java.util.zip.DataFormatException e) {
            throw new IllegalStateException("bad histogram from worker", e);
        }
    }
}
