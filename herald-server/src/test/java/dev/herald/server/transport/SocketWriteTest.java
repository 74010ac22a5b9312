package dev.herald.server.transport;

import dev.herald.protocol.Protocol;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Flushes of a WebSocket transport on a real epoll socket: written to the socket directly while nothing else is
 * pending, and through the channel once the peer stops reading and the send buffer fills. Either way the peer must
 * read exactly the frames written, in order.
 */
class SocketWriteTest {
    /** Frames of {@code size} bytes, each filled with its own sequence number. */
    private static byte[] element(int seq, int size) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) seq);
        return b;
    }

    @Test
    void framesArriveWholeAndInOrderWhetherTheSocketTakesThemAtOnceOrNot() throws Exception {
        Assumptions.assumeTrue(Epoll.isAvailable(), "native epoll transport");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        CompletableFuture<WebSocketTransport> transport = new CompletableFuture<>();
        try {
            Channel server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelActive(ChannelHandlerContext ctx) {
                                    transport.complete(new WebSocketTransport(ctx, Protocol.PROTOBUF, false,
                                            1L << 30, 1_000));
                                }
                            });
                        }
                    }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            try (Socket peer = new Socket("127.0.0.1", port)) {
                peer.setReceiveBufferSize(16 * 1024);
                WebSocketTransport t = transport.get(5, TimeUnit.SECONDS);
                ByteArrayOutputStream expected = new ByteArrayOutputStream();
                // Single frames, small batches, then batches far larger than the socket buffers while the peer
                // is not reading yet: the tail of those goes through the channel's queue.
                int[][] flushes = {{1, 100}, {2, 100}, {3, 3}, {4, 2_000_000}, {5, 70_000}, {6, 10},
                        {7, 3_000_000}};
                group.next().submit(() -> {
                    for (int[] f : flushes) {
                        int seq = f[0];
                        int count = f[1] > 1_000 ? 3 : 1;
                        for (int i = 0; i < count; i++) {
                            byte[] e = element(seq, f[1]);
                            t.writeBuffered(e);
                            expected.writeBytes(frame(e));
                        }
                        t.flush();
                    }
                }).sync();
                byte[] want = expected.toByteArray();
                byte[] got = new byte[want.length];
                peer.setSoTimeout(10_000);
                new DataInputStream(peer.getInputStream()).readFully(got);
                assertArrayEquals(want, got);
                InputStream in = peer.getInputStream();
                assertEquals(0, in.available(), "nothing more than what was written");
            } finally {
                server.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static byte[] frame(byte[] e) {
        io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
        WebSocketTransport.writeFrame(out, 0x2, e, 0, e.length);
        byte[] b = new byte[out.readableBytes()];
        out.readBytes(b);
        return b;
    }
}
