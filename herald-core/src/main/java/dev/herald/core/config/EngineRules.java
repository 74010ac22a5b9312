package dev.herald.core.config;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Checks the engine sections ({@code engine}, {@code broker}, {@code presence_manager}) as Centrifugo names them.
 * Every option either takes effect or is refused by name: a Redis or NATS section that is set but not in use (say
 * {@code engine.redis.address} with {@code engine.type: memory}), an option Herald does not implement yet
 * (Sentinel, Cluster, TLS, history in lists, ...) and an option of the wrong kind for its section (a presence TTL
 * under {@code broker.redis}) are all errors, never silently ignored.
 */
final class EngineRules {
    private static final Set<String> ENGINES = Set.of("memory", "redis");
    private static final Set<String> BROKERS = Set.of("memory", "redis", "nats");
    private static final Set<String> PRESENCE_MANAGERS = Set.of("memory", "redis");

    private final List<String> errors;

    private EngineRules(List<String> errors) {
        this.errors = errors;
    }

    static void check(HeraldConfig c, List<String> errors) {
        new EngineRules(errors).check(c);
    }

    private void check(HeraldConfig c) {
        if (!oneOf("engine.type", c.engine.type, ENGINES, "nats is a broker: set broker.enabled and broker.type")) {
            return;
        }
        boolean engineRedis = "redis".equals(c.engine.type);
        redis("engine.redis", c.engine.redis, engineRedis, true, true, "engine.type is \"" + c.engine.type + "\"");

        boolean brokerOn = c.broker.enabled;
        if (brokerOn && !oneOf("broker.type", c.broker.type, BROKERS, null)) {
            return;
        }
        if (!brokerOn && !"memory".equals(c.broker.type)) {
            errors.add("broker.type: \"" + c.broker.type + "\" is set but broker.enabled is false");
        }
        String brokerType = brokerOn ? c.broker.type : "";
        redis("broker.redis", c.broker.redis, "redis".equals(brokerType), true, false,
                brokerOn ? "broker.type is \"" + brokerType + "\"" : "broker.enabled is false");
        nats("broker.nats", c.broker.nats, "nats".equals(brokerType),
                brokerOn ? "broker.type is \"" + brokerType + "\"" : "broker.enabled is false");

        boolean presenceOn = c.presenceManager.enabled;
        if (presenceOn && !oneOf("presence_manager.type", c.presenceManager.type, PRESENCE_MANAGERS, null)) {
            return;
        }
        if (!presenceOn && !"memory".equals(c.presenceManager.type)) {
            errors.add("presence_manager.type: \"" + c.presenceManager.type
                    + "\" is set but presence_manager.enabled is false");
        }
        redis("presence_manager.redis", c.presenceManager.redis, presenceOn && "redis".equals(c.presenceManager.type),
                false, true, presenceOn ? "presence_manager.type is \"" + c.presenceManager.type + "\""
                        : "presence_manager.enabled is false");
    }

    private boolean oneOf(String path, String value, Set<String> allowed, String hint) {
        if (value != null && allowed.contains(value)) {
            return true;
        }
        errors.add(path + ": \"" + value + "\" is not one of " + String.join("|", allowed.stream().sorted().toList())
                + (hint == null || !"nats".equals(value) ? "" : " (" + hint + ")"));
        return false;
    }

    /** A Redis section: checked when in use; when not, every option changed from its default is refused. */
    private void redis(String path, HeraldConfig.Redis r, boolean inUse, boolean broker, boolean presence,
                       String whyUnused) {
        HeraldConfig.Redis d = new HeraldConfig.Redis();
        if (!inUse) {
            for (String leaf : ConfigValidator.changedLeaves(r, d, path + ".")) {
                errors.add(leaf + ": not used, because " + whyUnused);
            }
            return;
        }
        if (r.address == null || r.address.isEmpty()) {
            errors.add(path + ".address: at least one Redis address is needed");
        } else {
            for (String a : r.address) {
                address(path + ".address", a);
            }
        }
        if (r.prefix == null || r.prefix.isEmpty()) {
            errors.add(path + ".prefix must not be empty");
        }
        positive(path + ".connect_timeout", r.connectTimeout);
        positive(path + ".io_timeout", r.ioTimeout);
        notYet(path + ".cluster_address", r.clusterAddress != null && !r.clusterAddress.isEmpty(),
                "Redis Cluster");
        notYet(path + ".sentinel_address", r.sentinelAddress != null && !r.sentinelAddress.isEmpty(),
                "Redis Sentinel");
        notYet(path + ".sentinel_user", !"".equals(r.sentinelUser), "Redis Sentinel");
        notYet(path + ".sentinel_password", !"".equals(r.sentinelPassword), "Redis Sentinel");
        notYet(path + ".sentinel_master_name", !"".equals(r.sentinelMasterName), "Redis Sentinel");
        notYet(path + ".sentinel_client_name", !"".equals(r.sentinelClientName), "Redis Sentinel");
        notYet(path + ".sentinel_tls.enabled", r.sentinelTls != null && r.sentinelTls.enabled, "Redis Sentinel");
        notYet(path + ".tls.enabled", r.tls != null && r.tls.enabled, "TLS to Redis");
        if (broker) {
            notYet(path + ".history_use_lists", r.historyUseLists, "history in Redis lists (streams are used)");
        } else if (r.historyUseLists) {
            errors.add(path + ".history_use_lists: a presence manager keeps no history");
        }
        if (presence) {
            positive(path + ".presence_ttl", r.presenceTtl);
            notYet(path + ".presence_hash_field_ttl", r.presenceHashFieldTtl, "hash-field TTLs for presence");
            notYet(path + ".presence_user_mapping", r.presenceUserMapping, "the presence user mapping");
        } else {
            List<String> presenceLeaves = List.of("presence_ttl", "presence_hash_field_ttl", "presence_user_mapping");
            for (String leaf : ConfigValidator.changedLeaves(r, d, path + ".")) {
                if (presenceLeaves.contains(leaf.substring(path.length() + 1))) {
                    errors.add(leaf + ": a broker keeps no presence (set it under presence_manager.redis or "
                            + "engine.redis)");
                }
            }
        }
    }

    private void address(String path, String a) {
        String text = a == null ? "" : a.strip();
        if (text.isEmpty()) {
            errors.add(path + ": empty address");
        } else if (text.startsWith("rediss://")) {
            errors.add(path + ": " + text + ": TLS to Redis (rediss://) is not supported yet");
        } else if (text.startsWith("redis+sentinel://") || text.startsWith("redis+cluster://")) {
            errors.add(path + ": " + text + ": Redis Sentinel and Redis Cluster are not supported yet");
        } else if (text.contains("://") && !text.startsWith("redis://")) {
            errors.add(path + ": " + text + ": expected redis://host:port or host:port");
        }
    }

    private void nats(String path, HeraldConfig.Nats n, boolean inUse, String whyUnused) {
        HeraldConfig.Nats d = new HeraldConfig.Nats();
        if (!inUse) {
            for (String leaf : ConfigValidator.changedLeaves(n, d, path + ".")) {
                errors.add(leaf + ": not used, because " + whyUnused);
            }
            return;
        }
        if (n.url == null || n.url.isBlank()) {
            errors.add(path + ".url must not be empty");
        }
        if (n.prefix == null || n.prefix.isEmpty()) {
            errors.add(path + ".prefix must not be empty");
        }
        positive(path + ".dial_timeout", n.dialTimeout);
        positive(path + ".write_timeout", n.writeTimeout);
        notYet(path + ".allow_wildcards", n.allowWildcards, "wildcard subscriptions over NATS");
        notYet(path + ".tls.enabled", n.tls != null && n.tls.enabled, "TLS to NATS");
        notYet(path + ".raw_mode.enabled", n.rawMode != null && n.rawMode.enabled, "NATS raw mode");
    }

    private void notYet(String path, boolean set, String feature) {
        if (set) {
            errors.add(path + ": " + feature + " is not supported yet");
        }
    }

    private void positive(String path, Duration d) {
        if (d == null || !d.isPositive()) {
            errors.add(path + " must be a positive duration");
        }
    }
}
