package dev.herald.engines;

import dev.herald.core.cluster.Controller;
import dev.herald.core.cluster.LocalController;
import dev.herald.core.config.FrozenConfig;
import dev.herald.core.engine.Broker;
import dev.herald.core.engine.MemoryBroker;
import dev.herald.core.engine.MemoryPresenceManager;
import dev.herald.core.engine.PresenceManager;
import dev.herald.core.time.Clock;
import dev.herald.core.time.Scheduler;
import dev.herald.engines.nats.NatsBroker;
import dev.herald.engines.nats.NatsConnection;
import dev.herald.engines.nats.NatsController;
import dev.herald.engines.nats.NatsRedisBroker;
import dev.herald.engines.redis.RedisBroker;
import dev.herald.engines.redis.RedisBrokerOptions;
import dev.herald.engines.redis.RedisController;
import dev.herald.engines.redis.RedisPresenceManager;
import dev.herald.engines.redis.RedisShards;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Builds a node's engines from its config, as Centrifugo reads it:
 * <ul>
 *   <li>{@code engine.type: memory} (default): memory broker and presence, one node;</li>
 *   <li>{@code engine.type: redis}: Redis broker, presence manager and controller over {@code engine.redis};</li>
 *   <li>{@code broker.enabled} replaces the engine's broker and controller: {@code redis} over
 *       {@code broker.redis}, {@code nats} over {@code broker.nats} (with {@code engine.type: redis} too, history
 *       is kept in the engine's Redis: {@link NatsRedisBroker});</li>
 *   <li>{@code presence_manager.enabled} replaces the engine's presence manager ({@code redis}: over
 *       {@code presence_manager.redis}).</li>
 * </ul>
 * With a shared broker and no shared presence manager, presence reads answer 108 ({@link NoSharedPresence}) rather
 * than one node's partial view. The config has been validated ({@code EngineRules}) before this runs.
 */
public final class Engines {
    private Engines() {
    }

    /**
     * Connects what the config names (blocking: start-up only) and returns the set; throws, naming the address,
     * when a Redis or NATS server cannot be reached, closing whatever it had opened.
     */
    public static EngineSet create(FrozenConfig config, Scheduler scheduler, Clock clock) {
        List<AutoCloseable> resources = new ArrayList<>();
        List<Supplier<String>> checks = new ArrayList<>();
        try {
            return build(config, scheduler, clock, resources, checks);
        } catch (RuntimeException e) {
            for (AutoCloseable r : resources.reversed()) {
                try {
                    r.close();
                } catch (Exception ignored) {
                    // already failing: the start-up error is what the operator needs
                }
            }
            throw e;
        }
    }

    private static EngineSet build(FrozenConfig config, Scheduler scheduler, Clock clock,
                                   List<AutoCloseable> resources, List<Supplier<String>> checks) {
        RedisShards engineShards = "redis".equals(config.engine.type)
                ? shards(config.engine.redis, "engine.redis", resources, checks) : null;

        Broker broker;
        Controller controller;
        String brokerName;
        FrozenConfig.Broker b = config.broker;
        if (b.enabled && "redis".equals(b.type)) {
            RedisShards shards = shards(b.redis, "broker.redis", resources, checks);
            broker = redisBroker(shards, checks);
            controller = redisController(shards, checks);
            brokerName = "redis broker " + describe(shards);
        } else if (b.enabled && "nats".equals(b.type)) {
            NatsConnection nats = nats(b.nats, resources, checks);
            controller = new NatsController(nats);
            if (engineShards != null) {
                // History from the Redis engine, publications over NATS.
                broker = new NatsRedisBroker(new NatsBroker(nats), redisBroker(engineShards, checks));
                brokerName = "nats broker " + b.nats.url + " prefix " + b.nats.prefix + ", history in redis "
                        + describe(engineShards);
            } else {
                broker = new NatsBroker(nats);
                brokerName = "nats broker " + b.nats.url + " prefix " + b.nats.prefix + " (no history: 108)";
            }
        } else if (!b.enabled && engineShards != null) {
            broker = redisBroker(engineShards, checks);
            controller = redisController(engineShards, checks);
            brokerName = "redis engine " + describe(engineShards);
        } else {
            broker = new MemoryBroker(scheduler, clock::millis);
            controller = new LocalController();
            brokerName = "memory";
        }
        boolean sharedBroker = !(broker instanceof MemoryBroker);

        PresenceManager presence;
        String presenceName;
        FrozenConfig.PresenceManager p = config.presenceManager;
        if (p.enabled && "redis".equals(p.type)) {
            RedisShards shards = shards(p.redis, "presence_manager.redis", resources, checks);
            presence = redisPresence(shards, p.redis, scheduler);
            presenceName = "redis presence " + describe(shards);
        } else if (!p.enabled && engineShards != null) {
            presence = redisPresence(engineShards, config.engine.redis, scheduler);
            presenceName = "redis presence";
        } else if (sharedBroker) {
            presence = new NoSharedPresence();
            presenceName = "no shared presence (presence answers 108: set presence_manager.type redis)";
        } else {
            presence = new MemoryPresenceManager();
            presenceName = "memory presence";
        }
        return new EngineSet(broker, presence, controller, brokerName + ", " + presenceName,
                EngineSet.problems(checks), List.copyOf(resources));
    }

    private static RedisShards shards(FrozenConfig.Redis r, String path, List<AutoCloseable> resources,
                                      List<Supplier<String>> checks) {
        RedisShards shards = new RedisShards(new RedisShards.Settings(r.address, r.prefix, r.connectTimeout,
                r.ioTimeout, r.db, r.user, r.password, r.clientName, r.forceResp2));
        resources.add(shards);
        checks.add(() -> shards.healthy() ? null : path + ": Redis unreachable (" + describe(shards) + ")");
        return shards;
    }

    private static NatsConnection nats(FrozenConfig.Nats n, List<AutoCloseable> resources,
                                       List<Supplier<String>> checks) {
        NatsConnection nats;
        try {
            nats = NatsConnection.connect(new NatsConnection.Settings(NatsConnection.Settings.urls(n.url), n.prefix,
                    n.dialTimeout, Duration.ofSeconds(1), 1024 * 1024, Duration.ofSeconds(1), n.writeTimeout));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("broker.nats.url: cannot connect to " + n.url + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to NATS", e);
        }
        resources.add(nats);
        checks.add(() -> nats.healthy() ? null : "broker.nats: NATS unreachable (" + n.url + ")");
        return nats;
    }

    private static RedisBroker redisBroker(RedisShards shards, List<Supplier<String>> checks) {
        RedisBroker broker = new RedisBroker(shards, RedisBrokerOptions.defaults());
        checks.add(() -> broker.healthy() ? null : "redis broker: PUB/SUB not subscribed on every shard");
        return broker;
    }

    private static Controller redisController(RedisShards shards, List<Supplier<String>> checks) {
        RedisController controller = new RedisController(shards);
        checks.add(() -> controller.healthy() ? null : "redis controller: not subscribed on every shard");
        return controller;
    }

    private static PresenceManager redisPresence(RedisShards shards, FrozenConfig.Redis r, Scheduler scheduler) {
        RedisPresenceManager presence = new RedisPresenceManager(shards, scheduler,
                new RedisPresenceManager.Options(r.presenceTtl));
        presence.start();
        return presence;
    }

    private static String describe(RedisShards shards) {
        StringBuilder out = new StringBuilder();
        for (var shard : shards.all()) {
            out.append(out.isEmpty() ? "" : ", ").append(shard.uri().getHost()).append(':')
                    .append(shard.uri().getPort());
        }
        return out + " prefix " + shards.prefix();
    }
}
