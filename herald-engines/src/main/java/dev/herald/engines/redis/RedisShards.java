package dev.herald.engines.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.StaticCredentialsProvider;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Redis instances of one engine, with the channel-to-shard mapping every node computes the same way.
 *
 * <p>Several addresses are application-level sharding as in Centrifugo: each channel lives on one shard, chosen by a
 * jump consistent hash of its name over FNV-1a 64, so adding a shard moves about 1/n of the channels and nodes with
 * the same address list agree without talking to each other. One set of Lettuce client resources (two I/O threads)
 * serves every shard and every component (broker, presence, controller).
 */
public final class RedisShards implements AutoCloseable {
    private final ClientResources resources;
    private final List<RedisShard> shards;
    private final String prefix;

    /**
     * How to reach the Redis instances, with Centrifugo's options ({@code engine.redis.*}).
     *
     * @param addresses      one or more {@code redis://[user:password@]host:port[/db]} (or {@code host:port})
     * @param prefix         the key and channel prefix (Centrifugo's default "centrifugo")
     * @param connectTimeout how long to wait for a TCP connection
     * @param ioTimeout      how long a command may take before it fails
     * @param db             the database, unless an address names one
     * @param user           ACL user, unless an address names one ("" = none)
     * @param password       password, unless an address names one ("" = none)
     * @param clientName     CLIENT SETNAME for every connection ("" = none)
     * @param forceResp2     speak RESP2 instead of negotiating RESP3 (older or Redis-like servers)
     */
    public record Settings(List<String> addresses, String prefix, Duration connectTimeout, Duration ioTimeout, int db,
                           String user, String password, String clientName, boolean forceResp2) {
        public static Settings of(List<String> addresses, String prefix) {
            return new Settings(addresses, prefix, Duration.ofSeconds(1), Duration.ofSeconds(4), 0, "", "", "",
                    false);
        }
    }

    public RedisShards(List<String> addresses, String prefix, Duration connectTimeout, Duration ioTimeout) {
        this(new Settings(addresses, prefix, connectTimeout, ioTimeout, 0, "", "", "", false));
    }

    public RedisShards(Settings settings) {
        List<String> addresses = settings.addresses();
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("engine.redis.address: at least one address is needed");
        }
        this.prefix = settings.prefix();
        // Reconnect attempts back off from 50 ms to at most 1 s (Lettuce's default grows to 30 s): after an outage the
        // node is back within a second of Redis, instead of up to ten (seen in ClusterRedisOutageTest).
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(1), 2,
                        TimeUnit.MILLISECONDS))
                .build();
        ClientOptions.Builder builder = ClientOptions.builder()
                .autoReconnect(true)
                // While a shard is unreachable commands fail at once instead of queueing without bound.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(settings.connectTimeout()).keepAlive(true)
                        .build())
                .timeoutOptions(TimeoutOptions.enabled(settings.ioTimeout()));
        if (settings.forceResp2()) {
            builder.protocolVersion(ProtocolVersion.RESP2);
        }
        ClientOptions options = builder.build();
        List<RedisShard> list = new ArrayList<>(addresses.size());
        for (int i = 0; i < addresses.size(); i++) {
            RedisURI uri = RedisAddress.parse(addresses.get(i));
            String raw = addresses.get(i);
            if (uri.getDatabase() == 0 && settings.db() != 0) {
                uri.setDatabase(settings.db());
            }
            if (!raw.contains("@") && !settings.password().isEmpty()) {
                uri.setCredentialsProvider(new StaticCredentialsProvider(
                        settings.user().isEmpty() ? null : settings.user(), settings.password().toCharArray()));
            }
            if (!settings.clientName().isEmpty()) {
                uri.setClientName(settings.clientName());
            }
            uri.setTimeout(settings.ioTimeout());
            RedisClient client = RedisClient.create(resources, uri);
            client.setOptions(options);
            list.add(new RedisShard(i, uri, client));
        }
        this.shards = List.copyOf(list);
    }

    public List<RedisShard> all() {
        return shards;
    }

    public String prefix() {
        return prefix;
    }

    /** The shard that holds {@code key} (a channel name with its app), the same on every node. */
    public RedisShard forKey(String key) {
        return shards.size() == 1 ? shards.getFirst() : shards.get(index(key, shards.size()));
    }

    /** Jump consistent hash (Lamping and Veach) of the key's FNV-1a 64 hash over {@code buckets}. */
    static int index(String key, int buckets) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        long b = -1;
        long j = 0;
        while (j < buckets) {
            b = j;
            hash = hash * 2862933555777941757L + 1;
            j = (long) ((b + 1) * ((double) (1L << 31) / (double) ((hash >>> 33) + 1)));
        }
        return (int) b;
    }

    /** True when every shard's command connection is up (for /health). */
    public boolean healthy() {
        for (RedisShard shard : shards) {
            if (!shard.connected()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        for (RedisShard shard : shards) {
            shard.close();
        }
        resources.shutdown(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    }
}
