package dev.herald.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Opens and drives the connections of one {@link WorkerPlan} on its own event loops, paced by the plan's connect
 * rate and concurrency, and counts what they see. Thread-safe: connections report from their event loops,
 * {@link #status()} and {@link #report()} are called from one controlling thread.
 */
public final class LoadWorker implements AutoCloseable {
    private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

    static {
        // A generator buffer lives for one read. Netty's default leak tracking takes a stack trace for one
        // allocation in 128: hundreds a second at full load, on the core that does the measuring.
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }

    private final WorkerPlan plan;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final InetSocketAddress remote;
    private final InetSocketAddress[] locals;
    private final Tokens tokens;
    private final byte[] upgrade;
    /** Each event loop's own counters; a connection reports to its loop's. */
    private final Map<EventLoop, LoopEvents> loops = new HashMap<>();

    private final LongAdder started = new LongAdder();
    private final LongAdder wsOpen = new LongAdder();
    private final LongAdder connected = new LongAdder();
    private final LongAdder ready = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder deliveries = new LongAdder();
    private final LongAdder measuredDeliveries = new LongAdder();
    private final LongAdder warmupDeliveries = new LongAdder();
    private final LongAdder pings = new LongAdder();
    private final LongAdder otherPushes = new LongAdder();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();

    private final Recorder connectRecorder = new Recorder(HIGHEST_MICROS, 3);
    private final Recorder readyRecorder = new Recorder(HIGHEST_MICROS, 3);
    /** Guards {@link #measured} and {@link #warmup}, which the loops' folds add to. */
    private final Object latencyLock = new Object();
    private final Histogram measured = new Histogram(HIGHEST_MICROS, 3);
    private final Histogram warmup = new Histogram(HIGHEST_MICROS, 3);
    private final Histogram connect = new Histogram(HIGHEST_MICROS, 3);
    private final Histogram readyLatency = new Histogram(HIGHEST_MICROS, 3);

    private final EventLoop pumpLoop;
    private ScheduledFuture<?> pump;
    private int next;
    private long startNanos;
    private volatile boolean connectPhaseOver;

    public LoadWorker(WorkerPlan plan) {
        this.plan = plan;
        boolean epoll = Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(Math.max(1, plan.threads()),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.bootstrap = new Bootstrap().group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
        if (epoll) {
            // Let connect() choose the port for the whole 4-tuple, not bind() for the address alone.
            bootstrap.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
        }
        this.remote = new InetSocketAddress(plan.host(), plan.port());
        List<String> ips = plan.sourceIps() == null ? List.of() : plan.sourceIps();
        this.locals = ips.stream().map(ip -> new InetSocketAddress(ip, 0)).toArray(InetSocketAddress[]::new);
        this.tokens = plan.secret() == null || plan.secret().isEmpty() ? null
                : new Tokens(plan.secret(), System.currentTimeMillis() / 1000 + 24 * 3600);
        this.upgrade = Frames.upgradeRequest(plan.host(), plan.port(), plan.path(), plan.protobuf());
        this.pumpLoop = group.next();
        for (EventExecutor loop : group) {
            loops.put((EventLoop) loop, new LoopEvents());
        }
        this.next = plan.from();
    }

    /** Starts opening connections; returns at once. */
    public void start() {
        pumpLoop.execute(() -> {
            startNanos = System.nanoTime();
            pump = pumpLoop.scheduleAtFixedRate(this::pump, 0, 2, TimeUnit.MILLISECONDS);
        });
    }

    /** Runs on the pump loop: starts what the rate and concurrency allow, and ends itself when done. */
    private void pump() {
        long elapsedNanos = System.nanoTime() - startNanos;
        boolean expired = elapsedNanos > TimeUnit.MILLISECONDS.toNanos(plan.deadlineMillis());
        if (next >= plan.to() || expired) {
            if (inFlight.get() == 0 || expired) {
                connectPhaseOver = true;
                pump.cancel(false);
            }
            return;
        }
        long allowedByRate = plan.connectRate() <= 0 ? Long.MAX_VALUE
                : plan.connectRate() * elapsedNanos / 1_000_000_000L + 1 - (next - plan.from());
        int budget = (int) Math.min(Math.min(allowedByRate, plan.concurrency() - inFlight.get()), 512);
        for (int k = 0; k < budget && next < plan.to(); k++) {
            open(next++);
        }
    }

    private void open(int i) {
        started.increment();
        inFlight.incrementAndGet();
        String token = tokens == null ? null : tokens.sign(plan.user(i), plan.meta(i));
        byte[] connect = Frames.connectCommand(plan.protobuf(), token);
        long t0 = System.nanoTime();
        EventLoop loop = group.next();
        LoopEvents events = loops.get(loop);
        WsClientHandler handler = new WsClientHandler(events, upgrade, connect, plan.channels(i),
                plan.protobuf(), t0);
        Bootstrap b = bootstrap.clone(loop).handler(handler);
        ChannelFuture future = locals.length == 0 ? b.connect(remote) : b.connect(remote, locals[i % locals.length]);
        Channel ch = future.channel();
        future.addListener(f -> {
            if (!f.isSuccess()) {
                events.failed("tcp connect: " + f.cause().getClass().getSimpleName() + " " + f.cause().getMessage());
                return;
            }
            channels.add(ch);
            long timeout = Math.max(10_000, plan.deadlineMillis() / 4);
            ch.eventLoop().schedule(() -> handler.timeout(ch), timeout, TimeUnit.MILLISECONDS);
        });
    }

    public WorkerPlan plan() {
        return plan;
    }

    /**
     * Counters now; folds what the event loops counted and the latency recorded since the last call into the running
     * totals. Each loop adds its part in a task of its own (bounded wait: a loop busier than that reports next time).
     */
    public synchronized WorkerStatus status() {
        List<Future<?>> folds = new ArrayList<>(loops.size());
        loops.forEach((loop, events) -> {
            try {
                folds.add(loop.submit(events::fold));
            } catch (RejectedExecutionException e) {
                // the loops are shut down: nothing more to count
            }
        });
        for (Future<?> fold : folds) {
            try {
                fold.get(2, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                // that loop is busy; its counts come with a later status
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                throw new IllegalStateException("folding a loop's counters failed", e.getCause());
            }
        }
        connect.add(connectRecorder.getIntervalHistogram());
        readyLatency.add(readyRecorder.getIntervalHistogram());
        long p99;
        synchronized (latencyLock) {
            p99 = measured.getTotalCount() == 0 ? -1 : measured.getValueAtPercentile(99);
        }
        Map<String, Long> f = new TreeMap<>();
        failures.forEach((k, v) -> f.put(k, v.sum()));
        return new WorkerStatus(plan.workerIndex(), plan.count(), started.sum(), wsOpen.sum(), connected.sum(),
                ready.sum(), failed.sum(), dropped.sum(), inFlight.get(), deliveries.sum(), measuredDeliveries.sum(),
                warmupDeliveries.sum(), pings.sum(), otherPushes.sum(),
                p99, connectPhaseOver, f);
    }

    public synchronized WorkerReport report() {
        WorkerStatus status = status();
        synchronized (latencyLock) {
            return new WorkerReport(status, measured.copy(), warmup.copy(), connect.copy(), readyLatency.copy());
        }
    }

    /** Closes every connection (bounded wait). */
    public void closeConnections() {
        pumpLoop.execute(() -> {
            if (pump != null) {
                pump.cancel(false);
            }
            next = plan.to();
            connectPhaseOver = true;
        });
        channels.close().awaitUninterruptibly(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        closeConnections();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    private void count(String reason) {
        String key = reason.length() > 120 ? reason.substring(0, 120) : reason;
        failures.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    /**
     * What the connections of one event loop report. Connection-phase events are rare and go straight to the shared
     * counters; deliveries, pings and pushes, hundreds of thousands a second, are counted on the loop's thread
     * without atomics and added to the shared totals by {@link #fold}, which runs on the same thread.
     */
    private final class LoopEvents implements ConnectionEvents {
        private long deliveryCount;
        private long measuredCount;
        private long warmupCount;
        private long pingCount;
        private long otherPushCount;
        private final Histogram measuredLatency = new Histogram(HIGHEST_MICROS, 3);
        private final Histogram warmupLatency = new Histogram(HIGHEST_MICROS, 3);

        /** On this loop's thread: moves the counts into the worker's totals. */
        void fold() {
            deliveries.add(deliveryCount);
            measuredDeliveries.add(measuredCount);
            warmupDeliveries.add(warmupCount);
            pings.add(pingCount);
            otherPushes.add(otherPushCount);
            deliveryCount = measuredCount = warmupCount = pingCount = otherPushCount = 0;
            synchronized (latencyLock) {
                measured.add(measuredLatency);
                warmup.add(warmupLatency);
            }
            measuredLatency.reset();
            warmupLatency.reset();
        }

        @Override
        public void wsOpen() {
            wsOpen.increment();
        }

        @Override
        public void connected(long micros) {
            connected.increment();
            connectRecorder.recordValue(Math.min(micros, HIGHEST_MICROS));
        }

        @Override
        public void ready(long micros) {
            ready.increment();
            readyRecorder.recordValue(Math.min(micros, HIGHEST_MICROS));
            inFlight.decrementAndGet();
        }

        @Override
        public void failed(String reason) {
            failed.increment();
            inFlight.decrementAndGet();
            count(reason);
        }

        @Override
        public void dropped(String reason) {
            dropped.increment();
            count("dropped: " + reason);
        }

        @Override
        public void delivery(long latencyMicros, boolean measuredPub) {
            deliveryCount++;
            long v = Math.max(0, Math.min(latencyMicros, HIGHEST_MICROS));
            if (measuredPub) {
                measuredCount++;
                measuredLatency.recordValue(v);
            } else {
                warmupCount++;
                warmupLatency.recordValue(v);
            }
        }

        @Override
        public void ping() {
            pingCount++;
        }

        @Override
        public void otherPush(String kind) {
            otherPushCount++;
        }
    }
}
