package dev.herald.server.transport;

import dev.herald.core.codes.Disconnect;
import dev.herald.core.transport.Transport;
import dev.herald.protocol.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.channel.EventLoop;
import io.netty.channel.unix.UnixChannel;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Common part of every Netty-backed transport: writes go to the channel on its event loop; writes made while the
 * handler is reading are flushed once at read-complete, others at once; {@link #writeBuffered}/{@link #flush} let
 * the hub's fan-out flush each connection once per batch. A connection whose unsent bytes pass the configured
 * queue size is closed as slow (3008) instead of growing the server's memory.
 *
 * <p>Writes enter the pipeline at {@code out}: the channel (its tail) by default, or a handler's context when the
 * transport owns the last handler and nothing between it and the socket needs to see its writes. In that case, on a
 * native (epoll) channel, a flush whose bytes are the only ones pending goes to the socket at once with one write(2),
 * without the channel's outbound queue, promise and pipeline walk; whatever the socket does not take (a full send
 * buffer, an error) continues through the channel as usual, which arms the writability wait or reports the error.
 */
public abstract class NettyTransport implements Transport {
    protected final Channel channel;
    private final ChannelOutboundInvoker out;
    private final EventLoop loop;
    private final Protocol protocol;
    private final long maxQueuedBytes;
    private final long closeTimeoutMillis;
    private boolean reading;
    private boolean closed;
    /** Flushes may write to the socket directly (see the class comment). */
    private final boolean socketWrites;
    private Disconnect abortedWith;
    /** See {@link Transport#requestHeaders()}; the shared empty map unless the connect proxy forwards headers. */
    private Map<String, List<String>> requestHeaders = Map.of();

    protected NettyTransport(Channel channel, Protocol protocol, long maxQueuedBytes, long closeTimeoutMillis) {
        this(channel, channel, protocol, maxQueuedBytes, closeTimeoutMillis);
    }

    protected NettyTransport(Channel channel, ChannelOutboundInvoker out, Protocol protocol, long maxQueuedBytes,
                             long closeTimeoutMillis) {
        this.channel = channel;
        this.out = out;
        this.loop = channel.eventLoop();
        this.protocol = protocol;
        this.maxQueuedBytes = maxQueuedBytes;
        this.closeTimeoutMillis = closeTimeoutMillis;
        this.socketWrites = channel instanceof UnixChannel && out instanceof ChannelHandlerContext ctx
                && ctx.pipeline().firstContext() == ctx;
    }

    @Override
    public final Map<String, List<String>> requestHeaders() {
        return requestHeaders;
    }

    /** Set once at the handshake, before the session sees any frame. Event loop only. */
    final void requestHeaders(Map<String, List<String>> headers) {
        this.requestHeaders = headers;
    }

    @Override
    public final Protocol protocol() {
        return protocol;
    }

    @Override
    public final Executor executor() {
        return loop;
    }

    /** Marks the start of a read burst: writes wait for {@link #readComplete()}. Event loop only. */
    public final void readStarted() {
        reading = true;
    }

    /** Flushes what the read burst wrote. Event loop only. */
    public final void readComplete() {
        reading = false;
        flush();
    }

    @Override
    public final void write(byte[] element) {
        if (loop.inEventLoop()) {
            writeBuffered(element);
            if (!reading) {
                flush();
            }
        } else {
            loop.execute(() -> write(element));
        }
    }

    @Override
    public final void writeBuffered(byte[] element) {
        if (closed) {
            return;
        }
        int buffered = append(element);
        if (buffered + queuedInChannel() > maxQueuedBytes) {
            abort(Disconnect.SLOW);
        }
    }

    private long queuedInChannel() {
        ChannelOutboundBuffer queued = channel.unsafe().outboundBuffer();
        return queued == null ? 0 : queued.totalPendingWriteBytes();
    }

    @Override
    public final void flush() {
        Object batch = drain();
        if (batch != null) {
            if (socketWrites && batch instanceof ByteBuf bytes && writeToSocket(bytes)) {
                return;
            }
            out.write(batch, channel.voidPromise());
        }
        out.flush();
    }

    /**
     * Writes {@code bytes} straight to the socket when nothing else is pending in the channel. Returns true when all
     * of it went out (the buffer is released); false leaves the rest (readable part) for the channel to write.
     */
    private boolean writeToSocket(ByteBuf bytes) {
        ChannelOutboundBuffer queued = channel.unsafe().outboundBuffer();
        if (queued == null || queued.totalPendingWriteBytes() != 0 || !channel.isActive()) {
            return false;
        }
        int length = bytes.readableBytes();
        int written;
        try {
            var fd = ((UnixChannel) channel).fd();
            if (bytes.hasMemoryAddress()) {
                written = fd.writeAddress(bytes.memoryAddress(), bytes.readerIndex(), bytes.writerIndex());
            } else {
                java.nio.ByteBuffer nio = bytes.internalNioBuffer(bytes.readerIndex(), length);
                written = fd.write(nio, nio.position(), nio.limit());
            }
        } catch (IOException e) {
            return false; // the channel's own write meets the same error and closes the connection
        }
        if (written == length) {
            bytes.release();
            return true;
        }
        bytes.skipBytes(Math.max(written, 0));
        return false;
    }

    /**
     * Queues one element for the next flush. By default each element becomes its own message in the channel's
     * outbound buffer; a transport may instead collect elements itself (then {@link #drain} hands them over).
     *
     * @return bytes collected by the transport itself and not yet handed to the channel
     */
    protected int append(byte[] element) {
        out.write(frame(element), channel.voidPromise());
        return 0;
    }

    /** What {@link #append} collected since the last flush, as one message for the channel, or null. */
    protected Object drain() {
        return null;
    }

    @Override
    public final void close(Disconnect disconnect) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> close(disconnect));
            return;
        }
        if (closed) {
            return;
        }
        closed = true;
        Object goodbye = goodbye(disconnect);
        if (goodbye == null || !channel.isActive()) {
            discard();
            channel.close();
            return;
        }
        flush();
        out.writeAndFlush(goodbye).addListener(ChannelFutureListener.CLOSE);
        // A peer that does not read may never let the goodbye out: close anyway after the write timeout.
        loop.schedule(() -> {
            if (channel.isOpen()) {
                channel.close();
            }
        }, closeTimeoutMillis, TimeUnit.MILLISECONDS);
    }

    /** Drops the connection at once, without a goodbye (its queue is already too long to say one). */
    private void abort(Disconnect disconnect) {
        closed = true;
        abortedWith = disconnect;
        discard();
        channel.close();
    }

    /** The channel is gone (or going without a goodbye): frees what the transport still collects. Event loop only. */
    protected void discard() {
    }

    /** Called once the channel is inactive: nothing more will be written. Event loop only. */
    public final void channelClosed() {
        closed = true;
        discard();
    }

    /** Why the connection ended from the server's side without a goodbye, or "connection closed". */
    public final Disconnect closeReason() {
        return abortedWith == null ? Disconnect.CONNECTION_CLOSED : abortedWith;
    }

    protected final boolean isClosed() {
        return closed;
    }

    /** Whether a flush alone in the channel goes to the socket directly (see the class comment). */
    final boolean writesToSocket() {
        return socketWrites;
    }

    /** The connection is closing by the peer's or the protocol's doing: no more writes from the session. */
    final void markClosing() {
        closed = true;
    }

    /** Wraps one framed element in what this transport writes to the channel. */
    protected abstract Object frame(byte[] element);

    /** What to write before closing (a close frame, a disconnect push), or null to just close. */
    protected abstract Object goodbye(Disconnect disconnect);
}
