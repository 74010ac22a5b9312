package dev.herald.bench.load;

import java.util.List;

/**
 * What one load worker (a thread group in this process or a worker process) does: open the connections
 * {@code [from, to)} to {@code host:port}, each authenticated and subscribed as {@link #channels(int)} and
 * {@link #user(int)} say. Serialized as JSON for worker processes.
 *
 * @param channelMode   {@code none}, {@code shared:<channel>}, {@code unique:<prefix>} (one channel per
 *                      connection) or {@code personal-group:<size>} (channel {@code p.<i>} and group {@code g.<i/size>})
 * @param secret        HS256 key for connection JWTs; empty = connect without a token (insecure server)
 * @param connsPerUser  connections that share one user id {@code u<i/connsPerUser>}
 * @param userCycle     when positive, connection {@code i}'s user is {@code u<i % userCycle>} instead: a user's
 *                      connections are then {@code userCycle} apart, so that consecutive ranges of connections
 *                      sent to different servers (a cluster's nodes) put each user on several of them
 * @param metaShards    when positive, each token carries private meta {@code {"shard": i % metaShards}}
 * @param sourceIps     local addresses to bind (127.0.0.x), used round-robin, so that 4-tuples never run out
 * @param connectRate   new connections started per second at most
 * @param concurrency   connections in the handshake/connect/subscribe phase at once at most
 * @param deadlineMillis the whole connect phase gives up after this long; each connection after 1/4 of it
 */
public record WorkerPlan(int workerIndex, String host, int port, String path, boolean protobuf, int from, int to,
                         String channelMode, String secret, int connsPerUser, int userCycle, int metaShards,
                         List<String> sourceIps, int threads, int connectRate, int concurrency,
                         long deadlineMillis, long maxLifetimeSeconds) {

    public int count() {
        return to - from;
    }

    public String user(int i) {
        if (userCycle > 0) {
            return "u" + (i % userCycle);
        }
        return "u" + (i / Math.max(1, connsPerUser));
    }

    public String meta(int i) {
        return metaShards > 0 ? "{\"shard\":" + (i % metaShards) + "}" : null;
    }

    public List<String> channels(int i) {
        String mode = channelMode == null ? "none" : channelMode;
        int colon = mode.indexOf(':');
        String kind = colon < 0 ? mode : mode.substring(0, colon);
        String arg = colon < 0 ? "" : mode.substring(colon + 1);
        return switch (kind) {
            case "none" -> List.of();
            case "shared" -> List.of(arg);
            case "unique" -> List.of(arg + i);
            case "personal-group" -> List.of("p." + i, "g." + (i / Integer.parseInt(arg)));
            default -> throw new IllegalArgumentException("unknown channel mode " + mode);
        };
    }

    /** A copy for connections {@code [from, to)} as worker {@code index}, binding {@code ips}. */
    public WorkerPlan slice(int index, int newFrom, int newTo, List<String> ips) {
        return new WorkerPlan(index, host, port, path, protobuf, newFrom, newTo, channelMode, secret, connsPerUser,
                userCycle, metaShards, ips, threads, connectRate, concurrency, deadlineMillis, maxLifetimeSeconds);
    }
}
