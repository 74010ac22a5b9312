package dev.herald.server.transport;

import dev.herald.core.Node;
import dev.herald.server.http.HttpService;
import dev.herald.server.http.Origins;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The listening socket and its event loops: native epoll on Linux, NIO elsewhere. Every connection starts as HTTP
 * (codec, aggregator, router) and the router reshapes the pipeline for WebSocket or streaming connections, both
 * through {@link PipelineBuilder}. WebSocket endpoints, whatever their protocol, come in as
 * {@link WebSocketEndpoints}.
 *
 * <p>One event loop per CPU the process may use (the JVM counts the cgroup and affinity limits), and the listening
 * socket is served by one of them rather than by a thread of its own: a loop never waits on I/O, so more loops than
 * CPUs only adds context switches, and a separate acceptor would hand every new connection to a worker through
 * a cross-thread wake-up. {@code -Dio.netty.eventLoopThreads=N} overrides the count.
 */
public final class NettyServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NettyServer.class);

    private final EventLoopGroup loops;
    private final Channel serverChannel;

    /**
     * @param services   plain HTTP endpoints by path (a path ending in {@code /} is a prefix)
     * @param webSockets WebSocket endpoints by path; registrations made after this call do not reach the server
     */
    public NettyServer(Node node, String address, int port, Map<String, HttpService> services,
                       WebSocketEndpoints webSockets) throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        int threads = Integer.getInteger("io.netty.eventLoopThreads", Runtime.getRuntime().availableProcessors());
        this.loops = new MultiThreadIoEventLoopGroup(Math.max(1, threads), factory);
        var config = node.config();
        HttpRouter.Shared shared = HttpRouter.Shared.of(node, new Origins(config.client.allowedOrigins), services,
                webSockets);
        // The aggregator's cap is the largest body any endpoint takes; each endpoint then checks its own limit.
        int maxBody = Math.max(Math.max(config.httpApi.maxRequestBodySize, config.uniHttpStream.maxRequestBodySize),
                Math.max(config.uniSse.maxRequestBodySize,
                        Math.max(config.httpStream.maxRequestBodySize, config.sse.maxRequestBodySize)));
        int queueMax = config.client.queueMaxSize;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                // TCP_NODELAY is already on: Netty's socket configs enable it for every accepted channel (setting
                // it here again would cost a second setsockopt per connect).
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(Math.min(32 * 1024, queueMax / 2), queueMax))
                .childHandler(new PipelineBuilder(shared, maxBody));
        InetSocketAddress bindAddress = address == null || address.isEmpty() ? new InetSocketAddress(port)
                : new InetSocketAddress(address, port);
        this.serverChannel = bootstrap.bind(bindAddress).sync().channel();
        log.info("listening on {} ({})", serverChannel.localAddress(), epoll ? "epoll" : "nio");
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Stops accepting new connections, waiting at most {@code timeout}; existing ones keep running. */
    public void stopAccepting(Duration timeout) {
        serverChannel.close().awaitUninterruptibly(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** {@link #close(Duration)} with the time the server always allowed: 2 s for queued tasks, 5 s to stop. */
    @Override
    public void close() {
        close(Duration.ofSeconds(7));
    }

    /**
     * Stops accepting, then stops the event loops once the tasks queued on them so far have run: the 3001 close
     * frames written by {@code Node.shutdown()} go out first (a loop that starts shutting down closes its channels
     * before it runs its queued tasks). Waits at most {@code timeout} in all ({@code shutdown.timeout}): a loop
     * stuck in a task cannot hold the process past it.
     *
     * @return whether every loop stopped within the timeout
     */
    public boolean close(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        stopAccepting(timeout);
        for (EventExecutor loop : loops) {
            loop.submit(() -> { }).awaitUninterruptibly(remainingMillis(deadline), TimeUnit.MILLISECONDS);
        }
        return loops.shutdownGracefully(0, remainingMillis(deadline), TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(remainingMillis(deadline), TimeUnit.MILLISECONDS);
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }
}
