package dev.herald.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PayloadsTest {
    private static ByteBuf buf(String s) {
        return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void indexOfFindsTheFirstWholeMatchInsideTheRange() {
        ByteBuf b = buf("xx\"pu\"pub\":{\"pub\":1}");
        assertEquals(6, Payloads.indexOf(b, 0, b.writerIndex(), bytes("pub\":")));
        assertEquals(-1, Payloads.indexOf(b, 0, 9, bytes("pub\":")), "a match must end inside the range");
        assertEquals(12, Payloads.indexOf(b, 7, b.writerIndex(), bytes("\"pub")));
        assertEquals(-1, Payloads.indexOf(b, 0, b.writerIndex(), bytes("nope")));
        assertEquals(b.writerIndex() - 1, Payloads.indexOf(b, 0, b.writerIndex(), bytes("}")));
    }
}
