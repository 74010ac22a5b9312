package dev.herald.core.hub;

import dev.herald.core.Telemetry;
import dev.herald.core.client.ClientSession;
import dev.herald.core.client.Subscription;
import dev.herald.protocol.Protocol;
import dev.herald.protocol.Push;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * This node's registry of connections and subscriptions: the source of truth for everything local. Indexed two
 * ways: by client id and user (sessions API, disconnect) and by channel (fan-out). User shards take one lock for
 * "all connections of user X"; channel entries lock on themselves. Under a lock only maps are read and changed;
 * writing to connections happens on their own executors, outside any hub lock.
 */
public final class Hub {
    private static final int USER_SHARD_BITS = 6;
    private static final int USER_SHARDS = 1 << USER_SHARD_BITS;

    private final ConcurrentHashMap<String, ClientSession> sessions = new ConcurrentHashMap<>();
    /** Sessions of unidirectional and emulation transports by their session id (for /emulation and the API). */
    private final ConcurrentHashMap<String, ClientSession> bySessionId = new ConcurrentHashMap<>();
    private final UserShard[] userShards = new UserShard[USER_SHARDS];
    private final ConcurrentHashMap<String, ChannelEntry> channels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Executor, LoopBatcher> batchers = new ConcurrentHashMap<>();
    private final Telemetry telemetry;

    public Hub(Telemetry telemetry) {
        this.telemetry = telemetry;
        for (int i = 0; i < USER_SHARDS; i++) {
            userShards[i] = new UserShard();
        }
    }

    // ---- sessions ----

    /**
     * Registers a connected session unless its user already has {@code userLimit} connections here (0 = no limit).
     *
     * @return false when the limit refused it
     */
    public boolean addSession(ClientSession session, int userLimit) {
        UserShard shard = userShard(session.user());
        synchronized (shard) {
            Object userSet = shard.users.get(session.user());
            if (userLimit > 0 && !session.user().isEmpty() && userSet != null && UserSet.size(userSet) >= userLimit) {
                return false;
            }
            shard.users.put(session.user(), UserSet.add(userSet, session));
            sessions.put(session.id(), session);
            if (!session.sessionId().isEmpty()) {
                bySessionId.put(session.sessionId(), session);
            }
        }
        return true;
    }

    public void removeSession(ClientSession session) {
        UserShard shard = userShard(session.user());
        synchronized (shard) {
            if (!sessions.remove(session.id(), session)) {
                return;
            }
            if (!session.sessionId().isEmpty()) {
                bySessionId.remove(session.sessionId(), session);
            }
            Object userSet = shard.users.get(session.user());
            if (userSet != null) {
                Object rest = UserSet.remove(userSet, session);
                if (rest == null) {
                    shard.users.remove(session.user());
                } else if (rest != userSet) {
                    shard.users.put(session.user(), rest);
                }
            }
        }
    }

    public ClientSession session(String clientId) {
        return sessions.get(clientId);
    }

    /** The connected session with this session id (unidirectional and emulation transports), or null. */
    public ClientSession sessionBySessionId(String sessionId) {
        return bySessionId.get(sessionId);
    }

    /** A copy of the user's connections on this node, in connection order. */
    public List<ClientSession> userSessions(String user) {
        UserShard shard = userShard(user);
        synchronized (shard) {
            return UserSet.toList(shard.users.get(user));
        }
    }

    /** Calls {@code action} for every connection, outside any lock. */
    public void forEachSession(Consumer<ClientSession> action) {
        sessions.values().forEach(action);
    }

    public int numClients() {
        return sessions.size();
    }

    public int numUsers() {
        int users = 0;
        for (UserShard shard : userShards) {
            synchronized (shard) {
                users += shard.users.size();
            }
        }
        return users;
    }

    // ---- channels ----

    /** Adds a subscriber. Returns true when it is the channel's first subscriber on this node. */
    public boolean addSubscriber(Subscription sub) {
        boolean[] first = new boolean[1];
        channels.compute(sub.channel(), (channel, entry) -> {
            if (entry == null) {
                entry = new ChannelEntry();
                first[0] = true;
            }
            synchronized (entry) {
                entry.add(sub);
            }
            return entry;
        });
        return first[0];
    }

    /** Removes a subscriber. Returns true when the channel has no subscriber left on this node. */
    public boolean removeSubscriber(Subscription sub) {
        boolean[] last = new boolean[1];
        channels.computeIfPresent(sub.channel(), (channel, entry) -> {
            synchronized (entry) {
                entry.remove(sub);
                if (entry.size == 0) {
                    last[0] = true;
                    return null;
                }
            }
            return entry;
        });
        return last[0];
    }

    public int numSubscribers(String channel) {
        ChannelEntry entry = channels.get(channel);
        if (entry == null) {
            return 0;
        }
        synchronized (entry) {
            return entry.size;
        }
    }

    /** Channels with at least one local subscriber, with their subscriber counts. */
    public Map<String, Integer> channels() {
        Map<String, Integer> out = new HashMap<>();
        channels.forEach((channel, entry) -> {
            synchronized (entry) {
                if (entry.size > 0) {
                    out.put(channel, entry.size);
                }
            }
        });
        return out;
    }

    public int numChannels() {
        return channels.size();
    }

    /**
     * Delivers a push to the channel's subscribers: encoded once per wire variant in use, handed to each event loop
     * once. {@code joinLeave} limits delivery to subscribers that asked for join/leave pushes.
     */
    public void broadcast(String channel, Push push, long offset, boolean joinLeave) {
        ChannelEntry entry = channels.get(channel);
        if (entry == null) {
            return;
        }
        List<GroupSnapshot> groups;
        int variants;
        synchronized (entry) {
            groups = entry.snapshot();
            variants = entry.variantMask();
        }
        if (groups.isEmpty()) {
            return;
        }
        EncodedPush encoded = new EncodedPush(push, offset);
        // Encode here, before the hand-off, so loops only read the shared arrays (the hand-off publishes them).
        for (Protocol protocol : Protocol.values()) {
            for (int uni = 0; uni < 2; uni++) {
                if ((variants & (1 << (protocol.ordinal() * 2 + uni))) != 0) {
                    encoded.bytes(protocol, uni == 1);
                }
            }
        }
        for (GroupSnapshot group : groups) {
            batchers.computeIfAbsent(group.executor(), e -> new LoopBatcher(e, telemetry))
                    .submit(group.key(), group.subscribers(), encoded, joinLeave);
        }
    }

    /**
     * The shard of a user: the top bits of a mix of the string's hash. A shard's HashMap indexes its keys by the low
     * bits of the same hash; choosing the shard by those bits too (hash mod 64) left each shard's keys agreeing in
     * them, piled into a few buckets that HashMap turned into trees (seen as 0.6 TreeNode per connection with
     * users "u0".."u9999").
     */
    static int shardIndex(String user) {
        int h = user.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h >>> (32 - USER_SHARD_BITS);
    }

    private UserShard userShard(String user) {
        return userShards[shardIndex(user)];
    }

    private static final class UserShard {
        /** A user's connections, in connection order, in one of {@link UserSet}'s forms. */
        final HashMap<String, Object> users = new HashMap<>();
    }

    /**
     * A user's connections on this node without a collection per user for the common case: a lone
     * {@link ClientSession} for one connection, a {@code ClientSession[]} for a few, a {@link LinkedHashSet} for
     * many (anonymous connections all share the user "", so add and remove must stay O(1) there). Every form keeps
     * connection order. The methods return the new form; null means no connection is left.
     */
    static final class UserSet {
        /** Above this many connections the array becomes a LinkedHashSet. */
        static final int MAX_ARRAY = 8;

        private UserSet() {
        }

        static int size(Object set) {
            if (set == null) {
                return 0;
            }
            if (set instanceof ClientSession) {
                return 1;
            }
            if (set instanceof ClientSession[] array) {
                return array.length;
            }
            return asSet(set).size();
        }

        static Object add(Object set, ClientSession session) {
            if (set == null) {
                return session;
            }
            if (set instanceof ClientSession single) {
                return single == session ? single : new ClientSession[]{single, session};
            }
            if (set instanceof ClientSession[] array) {
                for (ClientSession s : array) {
                    if (s == session) {
                        return array;
                    }
                }
                if (array.length < MAX_ARRAY) {
                    ClientSession[] next = Arrays.copyOf(array, array.length + 1);
                    next[array.length] = session;
                    return next;
                }
                LinkedHashSet<ClientSession> many = new LinkedHashSet<>(Arrays.asList(array));
                many.add(session);
                return many;
            }
            asSet(set).add(session);
            return set;
        }

        static Object remove(Object set, ClientSession session) {
            if (set == null) {
                return null;
            }
            if (set instanceof ClientSession single) {
                return single == session ? null : single;
            }
            if (set instanceof ClientSession[] array) {
                int i = 0;
                while (i < array.length && array[i] != session) {
                    i++;
                }
                if (i == array.length) {
                    return array;
                }
                if (array.length == 2) {
                    return array[1 - i];
                }
                ClientSession[] next = new ClientSession[array.length - 1];
                System.arraycopy(array, 0, next, 0, i);
                System.arraycopy(array, i + 1, next, i, array.length - i - 1);
                return next;
            }
            Set<ClientSession> many = asSet(set);
            many.remove(session);
            return many.isEmpty() ? null : many;
        }

        static List<ClientSession> toList(Object set) {
            if (set == null) {
                return List.of();
            }
            if (set instanceof ClientSession single) {
                return List.of(single);
            }
            if (set instanceof ClientSession[] array) {
                return List.of(array);
            }
            return List.copyOf(asSet(set));
        }

        @SuppressWarnings("unchecked")
        private static Set<ClientSession> asSet(Object set) {
            return (Set<ClientSession>) set;
        }
    }

    /** Subscribers of one executor; the snapshot array is rebuilt lazily after a change. */
    private static final class Group {
        final Executor executor;
        final ArrayList<Subscription> members = new ArrayList<>();
        Subscription[] snapshot;

        Group(Executor executor) {
            this.executor = executor;
        }
    }

    /** One channel's subscribers grouped by executor; guarded by its own monitor. */
    private static final class ChannelEntry {
        final ArrayList<Group> groups = new ArrayList<>(2);
        final int[] variantCounts = new int[4];
        int size;

        void add(Subscription sub) {
            Executor executor = sub.session().transport().executor();
            Group group = null;
            for (Group g : groups) {
                if (g.executor == executor) {
                    group = g;
                    break;
                }
            }
            if (group == null) {
                group = new Group(executor);
                groups.add(group);
            }
            sub.hubIndex(group.members.size());
            group.members.add(sub);
            group.snapshot = null;
            variantCounts[variant(sub)]++;
            size++;
        }

        void remove(Subscription sub) {
            Executor executor = sub.session().transport().executor();
            for (int i = 0; i < groups.size(); i++) {
                Group group = groups.get(i);
                if (group.executor != executor) {
                    continue;
                }
                int idx = sub.hubIndex();
                if (idx < 0 || idx >= group.members.size() || group.members.get(idx) != sub) {
                    return;
                }
                // Swap-remove keeps removal O(1); the moved member learns its new index.
                Subscription last = group.members.removeLast();
                if (last != sub) {
                    group.members.set(idx, last);
                    last.hubIndex(idx);
                }
                sub.hubIndex(-1);
                group.snapshot = null;
                if (group.members.isEmpty()) {
                    groups.remove(i);
                }
                variantCounts[variant(sub)]--;
                size--;
                return;
            }
        }

        List<GroupSnapshot> snapshot() {
            List<GroupSnapshot> out = new ArrayList<>(groups.size());
            for (Group group : groups) {
                if (group.snapshot == null) {
                    group.snapshot = group.members.toArray(new Subscription[0]);
                }
                out.add(new GroupSnapshot(group, group.executor, group.snapshot));
            }
            return out;
        }

        int variantMask() {
            int mask = 0;
            for (int i = 0; i < variantCounts.length; i++) {
                if (variantCounts[i] > 0) {
                    mask |= 1 << i;
                }
            }
            return mask;
        }

        private static int variant(Subscription sub) {
            return sub.session().transport().protocol().ordinal() * 2
                    + (sub.session().transport().unidirectional() ? 1 : 0);
        }
    }

    /** {@code key} is the group itself: the same for every snapshot of one channel on one loop. */
    private record GroupSnapshot(Object key, Executor executor, Subscription[] subscribers) {
    }
}
