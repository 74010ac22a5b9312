package dev.herald.engines.redis;

import dev.herald.core.channel.ChannelKey;
import dev.herald.core.engine.PresenceManager;
import dev.herald.core.time.Scheduler;
import dev.herald.engines.EngineCodec;
import dev.herald.engines.EngineNames;
import dev.herald.protocol.ClientInfo;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Presence in Redis, shared by every node, in Centrifugo's layout: per channel a HASH
 * {@code <prefix>.presence.data.<channel>} (client id to the encoded {@link ClientInfo}) and a ZSET
 * {@code <prefix>.presence.expire.<channel>} (client id to its expiry time in epoch seconds, by Redis's clock),
 * both keys expiring after the TTL. Reading a channel first drops its expired members from both, so the entries of
 * a node that died vanish within the TTL.
 *
 * <p>Entries live while their node keeps them: the manager remembers what this node added and re-adds it every
 * TTL/3 (one script call per channel and batch, all sent at once on each shard's shared connection, which
 * pipelines them). {@link #removePresence} forgets the entry. An add that failed (Redis down) stays remembered,
 * so the next refresh after Redis is back writes it.
 *
 * <p>Ordering: each channel's remembered entries are guarded by a lock, and every command for the channel (add,
 * remove, refresh) is handed to Lettuce under that lock. Lettuce sends a connection's commands in the order they
 * are handed to it, so a refresh that read an entry can never reach Redis after the remove of that entry, which
 * would bring a departed client back for a whole TTL. The three operations are one Lua script (the operation is
 * its first argument) so that, after a Redis restart emptied the script cache, the fallback from EVALSHA to EVAL
 * cannot reorder them either.
 *
 * <p>Threading: every method returns at once with a stage completed on Lettuce's threads; callers hop back to their
 * own executor. The scheduler only hands the refresh to this manager's own thread, so a large refresh never holds
 * the timer thread.
 */
public final class RedisPresenceManager implements PresenceManager {
    private static final Logger log = LoggerFactory.getLogger(RedisPresenceManager.class);
    /** Clients per script call in a refresh: keeps each call short, so it does not stall Redis for others. */
    static final int REFRESH_BATCH = 200;

    /**
     * KEYS[1] data hash, KEYS[2] expiry zset. ARGV[1] operation: "add" (ARGV[2] TTL in ms, then client id and
     * info pairs), "remove" (ARGV[2] client id), "get" (drops expired members, returns HGETALL). Time comes from
     * Redis (TIME), so the nodes' clocks need not agree.
     */
    private static final Script SCRIPT = new Script("""
            local op = ARGV[1]
            if op == 'remove' then
              redis.call('hdel', KEYS[1], ARGV[2])
              redis.call('zrem', KEYS[2], ARGV[2])
              return 0
            end
            local t = redis.call('time')
            local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
            if op == 'add' then
              local expireAt = now + tonumber(ARGV[2]) / 1000
              for i = 3, #ARGV, 2 do
                redis.call('hset', KEYS[1], ARGV[i], ARGV[i + 1])
                redis.call('zadd', KEYS[2], expireAt, ARGV[i])
              end
              redis.call('pexpire', KEYS[1], ARGV[2])
              redis.call('pexpire', KEYS[2], ARGV[2])
              return 0
            end
            local expired = redis.call('zrangebyscore', KEYS[2], '-inf', now)
            if #expired > 0 then
              for i = 1, #expired, 1000 do
                redis.call('hdel', KEYS[1], unpack(expired, i, math.min(i + 999, #expired)))
              end
              redis.call('zremrangebyscore', KEYS[2], '-inf', now)
            end
            return redis.call('hgetall', KEYS[1])
            """);
    private static final byte[] ADD = ascii("add");
    private static final byte[] REMOVE = ascii("remove");
    private static final byte[] GET = ascii("get");

    private final RedisShards shards;
    private final EngineNames names;
    private final Scheduler scheduler;
    private final long ttlMillis;
    private final byte[] ttlArg;
    private final Map<ChannelKey, Local> local = new ConcurrentHashMap<>();
    private final ExecutorService refresher;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private final AtomicLong refreshRounds = new AtomicLong();
    private volatile Scheduler.Cancellable nextRefresh;
    private volatile boolean closed;

    /** {@code engine.redis.presence_ttl}: how long an entry outlives the last refresh of its node. */
    public record Options(Duration ttl) {
        /** Centrifugo's {@code presence_ttl}: 60 s. */
        public static final Options DEFAULTS = new Options(Duration.ofSeconds(60));

        public Options {
            if (ttl == null || ttl.toMillis() < 1000) {
                throw new IllegalArgumentException("presence ttl must be at least 1s, was " + ttl);
            }
        }
    }

    /** What this node added to one channel, kept for the refresh; guarded by itself. */
    private static final class Local {
        final RedisShard shard;
        final byte[][] keys;
        final Map<String, ClientInfo> clients = new LinkedHashMap<>();
        /** Taken out of {@link #local}: a caller that still holds it must look again. */
        boolean gone;

        Local(RedisShard shard, byte[][] keys) {
            this.shard = shard;
            this.keys = keys;
        }
    }

    public RedisPresenceManager(RedisShards shards, Scheduler scheduler, Options options) {
        this.shards = shards;
        this.names = new EngineNames(shards.prefix());
        this.scheduler = scheduler;
        this.ttlMillis = options.ttl().toMillis();
        this.ttlArg = ascii(Long.toString(ttlMillis));
        this.refresher = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "herald-presence-refresh");
            t.setDaemon(true);
            return t;
        });
    }

    /** Connects every shard (blocking: start-up only; throws when Redis is unreachable) and starts refreshing. */
    public void start() {
        for (RedisShard shard : shards.all()) {
            shard.connect();
        }
        scheduleRefresh();
    }

    /** Stops refreshing; this node's entries then expire within the TTL unless they were removed. */
    @Override
    public void close() {
        closed = true;
        Scheduler.Cancellable next = nextRefresh;
        if (next != null) {
            next.cancel();
        }
        refresher.shutdown();
    }

    @Override
    public CompletionStage<Map<String, ClientInfo>> presence(ChannelKey channel) {
        return read(channel).thenApply(fields -> {
            Map<String, ClientInfo> result = HashMap.newHashMap(fields.size() / 2);
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                byte[] info = (byte[]) fields.get(i + 1);
                result.put(utf8((byte[]) fields.get(i)), EngineCodec.decodeInfo(info, 0, info.length));
            }
            return result;
        });
    }

    @Override
    public CompletionStage<PresenceStats> presenceStats(ChannelKey channel) {
        return read(channel).thenApply(fields -> {
            Set<String> users = new HashSet<>();
            for (int i = 1; i < fields.size(); i += 2) {
                byte[] info = (byte[]) fields.get(i);
                users.add(EngineCodec.decodeInfo(info, 0, info.length).user());
            }
            return new PresenceStats(fields.size() / 2, users.size());
        });
    }

    @Override
    public CompletionStage<Void> addPresence(ChannelKey channel, String clientId, ClientInfo info) {
        byte[] id = utf8(clientId);
        byte[] encoded = EngineCodec.encodeInfo(info);
        while (true) {
            Local entries = local.computeIfAbsent(channel, this::newLocal);
            synchronized (entries) {
                if (entries.gone) {
                    continue;
                }
                entries.clients.put(clientId, info);
                // Sent under the lock: see the class comment on ordering against the refresh.
                return run(entries.shard, ScriptOutputType.INTEGER, entries.keys, ADD, ttlArg, id, encoded)
                        .thenApply(r -> null);
            }
        }
    }

    @Override
    public CompletionStage<Void> removePresence(ChannelKey channel, String clientId, String user) {
        byte[] id = utf8(clientId);
        while (true) {
            Local entries = local.get(channel);
            if (entries == null) {
                return run(shard(channel), ScriptOutputType.INTEGER, keys(channel), REMOVE, id).thenApply(r -> null);
            }
            synchronized (entries) {
                if (entries.gone) {
                    continue;
                }
                entries.clients.remove(clientId);
                if (entries.clients.isEmpty()) {
                    entries.gone = true;
                    local.remove(channel, entries);
                }
                return run(entries.shard, ScriptOutputType.INTEGER, entries.keys, REMOVE, id).thenApply(r -> null);
            }
        }
    }

    /** Refresh rounds started so far; lets tests wait for refreshes instead of sleeping. */
    long refreshRounds() {
        return refreshRounds.get();
    }

    private CompletableFuture<List<Object>> read(ChannelKey channel) {
        return run(shard(channel), ScriptOutputType.MULTI, keys(channel), GET);
    }

    private void scheduleRefresh() {
        if (closed) {
            return;
        }
        nextRefresh = scheduler.schedule(() -> {
            try {
                refresher.execute(this::refresh);
            } catch (RejectedExecutionException closedMeanwhile) {
                // close() shut the refresher down after this tick was due: nothing left to do
            }
        }, Math.max(1, ttlMillis / 3), TimeUnit.MILLISECONDS);
    }

    /**
     * Re-adds everything this node remembers. The next round is scheduled first so a failing round cannot stop
     * the cycle; a round still waiting for Redis when the next is due makes that one skip (a slow Redis gets no
     * pile of duplicate refreshes).
     */
    private void refresh() {
        scheduleRefresh();
        if (closed || !refreshing.compareAndSet(false, true)) {
            return;
        }
        refreshRounds.incrementAndGet();
        List<CompletableFuture<?>> sent = new ArrayList<>();
        try {
            for (Local entries : local.values()) {
                synchronized (entries) {
                    if (!entries.gone) {
                        sendRefresh(entries, sent);
                    }
                }
            }
        } finally {
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).whenComplete((r, e) -> {
                refreshing.set(false);
                if (e != null) {
                    long failed = sent.stream().filter(CompletableFuture::isCompletedExceptionally).count();
                    log.warn("presence refresh: {} of {} batches failed, retried next round: {}", failed,
                            sent.size(), cause(e).toString());
                }
            });
        }
    }

    /** One script call per {@link #REFRESH_BATCH} clients of the channel; caller holds the channel's lock. */
    private void sendRefresh(Local entries, List<CompletableFuture<?>> sent) {
        List<byte[]> args = new ArrayList<>();
        for (Map.Entry<String, ClientInfo> e : entries.clients.entrySet()) {
            if (args.isEmpty()) {
                args.add(ADD);
                args.add(ttlArg);
            }
            args.add(utf8(e.getKey()));
            args.add(EngineCodec.encodeInfo(e.getValue()));
            if (args.size() == 2 + 2 * REFRESH_BATCH) {
                sent.add(run(entries.shard, ScriptOutputType.INTEGER, entries.keys, args.toArray(byte[][]::new)));
                args.clear();
            }
        }
        if (!args.isEmpty()) {
            sent.add(run(entries.shard, ScriptOutputType.INTEGER, entries.keys, args.toArray(byte[][]::new)));
        }
    }

    private Local newLocal(ChannelKey channel) {
        return new Local(shard(channel), keys(channel));
    }

    private RedisShard shard(ChannelKey channel) {
        return shards.forKey(EngineNames.shardKey(channel));
    }

    private byte[][] keys(ChannelKey channel) {
        return new byte[][]{utf8(names.name(channel, "presence.data")), utf8(names.name(channel, "presence.expire"))};
    }

    private static <T> CompletableFuture<T> run(RedisShard shard, ScriptOutputType type, byte[][] keys,
                                                byte[]... args) {
        try {
            return SCRIPT.run(shard.commands().async(), type, keys, args);
        } catch (RuntimeException e) {
            // not connected yet, or Lettuce refused the command outright: report it through the stage
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Throwable cause(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A Lua script run by its SHA-1, sent whole once when Redis does not know it (first use, or after a restart). */
    private record Script(byte[] source, String sha) {
        Script(String source) {
            this(source.getBytes(StandardCharsets.UTF_8), sha1(source));
        }

        <T> CompletableFuture<T> run(RedisAsyncCommands<byte[], byte[]> commands, ScriptOutputType type,
                                     byte[][] keys, byte[]... args) {
            CompletableFuture<T> bySha = commands.<T>evalsha(sha, type, keys, args).toCompletableFuture();
            return bySha.exceptionallyCompose(e -> cause(e) instanceof RedisNoScriptException
                    ? commands.<T>eval(source, type, keys, args).toCompletableFuture()
                    : CompletableFuture.failedFuture(cause(e)));
        }

        private static String sha1(String source) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                        .digest(source.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-1 is part of every JDK", e);
            }
        }
    }
}
