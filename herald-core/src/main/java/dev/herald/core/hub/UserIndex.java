package dev.herald.core.hub;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One app's users and their connections on this node, sharded so that "the connections of user X" and a change to
 * them take one shard lock. A user's connections are kept in connection order without a collection per user for
 * the common case (see {@link UserSet}).
 */
final class UserIndex {
    private static final int SHARD_BITS = 6;
    private static final int SHARDS = 1 << SHARD_BITS;

    private final Shard[] shards = new Shard[SHARDS];

    private static final class Shard {
        final HashMap<String, Object> users = new HashMap<>();
    }

    UserIndex() {
        for (int i = 0; i < SHARDS; i++) {
            shards[i] = new Shard();
        }
    }

    /**
     * Runs {@code action} under the user's shard lock with the user's current set, and stores the set it returns
     * (null = no connection left).
     */
    Object update(String user, java.util.function.UnaryOperator<Object> action) {
        Shard shard = shards[shardIndex(user)];
        synchronized (shard) {
            Object before = shard.users.get(user);
            Object after = action.apply(before);
            if (after == null) {
                if (before != null) {
                    shard.users.remove(user);
                }
            } else if (after != before) {
                shard.users.put(user, after);
            }
            return after;
        }
    }

    List<HubSession> sessions(String user) {
        Shard shard = shards[shardIndex(user)];
        synchronized (shard) {
            return UserSet.toList(shard.users.get(user));
        }
    }

    int numUsers() {
        int users = 0;
        for (Shard shard : shards) {
            synchronized (shard) {
                users += shard.users.size();
            }
        }
        return users;
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
        return h >>> (32 - SHARD_BITS);
    }

    /**
     * A user's connections on this node without a collection per user for the common case: a lone
     * {@link HubSession} for one connection, a {@code HubSession[]} for a few, a {@link LinkedHashSet} for many
     * (anonymous connections all share the user "", so add and remove must stay O(1) there). Every form keeps
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
            if (set instanceof HubSession) {
                return 1;
            }
            if (set instanceof HubSession[] array) {
                return array.length;
            }
            return asSet(set).size();
        }

        static Object add(Object set, HubSession session) {
            if (set == null) {
                return session;
            }
            if (set instanceof HubSession single) {
                return single == session ? single : new HubSession[]{single, session};
            }
            if (set instanceof HubSession[] array) {
                for (HubSession s : array) {
                    if (s == session) {
                        return array;
                    }
                }
                if (array.length < MAX_ARRAY) {
                    HubSession[] next = Arrays.copyOf(array, array.length + 1);
                    next[array.length] = session;
                    return next;
                }
                LinkedHashSet<HubSession> many = new LinkedHashSet<>(Arrays.asList(array));
                many.add(session);
                return many;
            }
            asSet(set).add(session);
            return set;
        }

        static Object remove(Object set, HubSession session) {
            if (set == null) {
                return null;
            }
            if (set instanceof HubSession single) {
                return single == session ? null : single;
            }
            if (set instanceof HubSession[] array) {
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
                HubSession[] next = new HubSession[array.length - 1];
                System.arraycopy(array, 0, next, 0, i);
                System.arraycopy(array, i + 1, next, i, array.length - i - 1);
                return next;
            }
            Set<HubSession> many = asSet(set);
            many.remove(session);
            return many.isEmpty() ? null : many;
        }

        static List<HubSession> toList(Object set) {
            if (set == null) {
                return List.of();
            }
            if (set instanceof HubSession single) {
                return List.of(single);
            }
            if (set instanceof HubSession[] array) {
                return List.of(array);
            }
            return List.copyOf(asSet(set));
        }

        @SuppressWarnings("unchecked")
        private static Set<HubSession> asSet(Object set) {
            return (Set<HubSession>) set;
        }
    }
}
