package dev.herald.server.transport;

import dev.herald.core.codes.Disconnect;
import dev.herald.protocol.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WebSocketTransportTest {
    private static WebSocketTransport transport(EmbeddedChannel channel, Protocol protocol, long maxQueued) {
        channel.pipeline().addLast(new ChannelInboundHandlerAdapter());
        ChannelHandlerContext ctx = channel.pipeline().firstContext();
        return new WebSocketTransport(ctx, protocol, false, maxQueued, 1_000);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String hex(ByteBuf buf) {
        try {
            return ByteBufUtil.hexDump(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void oneElementIsOneTextFrame() {
        EmbeddedChannel channel = new EmbeddedChannel();
        WebSocketTransport t = transport(channel, Protocol.JSON, 1 << 20);
        t.write(bytes("{}"));
        assertEquals("81027b7d", hex(channel.readOutbound()));
        assertNull(channel.readOutbound());
    }

    @Test
    void elementsOfOneFlushLeaveAsOneWriteInOrder() {
        EmbeddedChannel channel = new EmbeddedChannel();
        WebSocketTransport t = transport(channel, Protocol.PROTOBUF, 1 << 20);
        t.writeBuffered(new byte[] {1});
        t.writeBuffered(new byte[] {2, 3});
        t.writeBuffered(new byte[200]);
        assertNull(channel.readOutbound(), "nothing leaves before the flush");
        t.flush();
        ByteBuf out = channel.readOutbound();
        assertEquals("820101" + "82020203" + "827e00c8" + "00".repeat(200), hex(out));
        assertNull(channel.readOutbound());
    }

    @Test
    void writesDuringAReadBurstWaitForReadComplete() {
        EmbeddedChannel channel = new EmbeddedChannel();
        WebSocketTransport t = transport(channel, Protocol.JSON, 1 << 20);
        t.readStarted();
        t.write(bytes("a"));
        t.write(bytes("b"));
        assertNull(channel.readOutbound());
        t.readComplete();
        assertEquals("8101618101" + "62", hex(channel.readOutbound()));
    }

    @Test
    void closeSendsPendingFramesThenTheCloseFrame() {
        EmbeddedChannel channel = new EmbeddedChannel();
        WebSocketTransport t = transport(channel, Protocol.JSON, 1 << 20);
        t.writeBuffered(bytes("x"));
        t.close(new Disconnect(3001, "shutdown"));
        assertEquals("810178", hex(channel.readOutbound()));
        assertEquals("880a0bb973687574646f776e", hex(channel.readOutbound()));
        assertFalse(channel.isOpen());
        t.write(bytes("late"));
        assertNull(channel.readOutbound());
    }

    @Test
    void aQueuePastTheLimitDropsTheConnectionAsSlow() {
        EmbeddedChannel channel = new EmbeddedChannel();
        WebSocketTransport t = transport(channel, Protocol.JSON, 100);
        t.writeBuffered(new byte[60]);
        assertTrue(channel.isOpen());
        t.writeBuffered(new byte[60]);
        assertFalse(channel.isOpen());
        assertEquals(3008, t.closeReason().code());
        assertNull(channel.readOutbound(), "the collected frames are released, not sent");
    }

    @Test
    void aLargeElementGetsTheEightByteLengthAndLaterBatchesStayIntact() {
        EmbeddedChannel channel = new EmbeddedChannel();
        WebSocketTransport t = transport(channel, Protocol.PROTOBUF, 1 << 20);
        t.writeBuffered(new byte[] {7});
        t.writeBuffered(new byte[70_000]);
        t.flush();
        assertEquals("820107" + "827f" + "0000000000011170" + "00".repeat(70_000), hex(channel.readOutbound()));
        // The next batch starts at the previous one's size; a small one must still carry exactly its own frames.
        t.writeBuffered(new byte[] {1});
        t.writeBuffered(new byte[] {2});
        t.flush();
        assertEquals("820101" + "820102", hex(channel.readOutbound()));
        assertNull(channel.readOutbound());
    }
}
