package dev.herald.core.hub;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One channel's subscribers on this node, grouped by executor, with the wire formats they take and the state of
 * the node's broker subscription. Every field is guarded by the entry's monitor, and the hub changes membership
 * and broker state together inside one such section, so "first subscriber" and "last subscriber" are decided
 * atomically with the broker operation they start.
 *
 * <p>Broker state: {@link #ready} is the subscribe that every current subscriber waits on (pending or done), or
 * null when the node is not subscribed and not subscribing. {@link #tail} is the last broker operation issued;
 * each new operation starts only after it, so a subscribe never overtakes the unsubscribe before it.
 */
final class ChannelEntry {
    static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final ArrayList<Group> groups = new ArrayList<>(2);
    /** Wire formats in use and how many subscribers take each, indexed by {@link WireFormat#slot()}. */
    private WireFormat[] formats = new WireFormat[0];
    private int[] formatCounts = new int[0];
    /** The formats with a count above zero; rebuilt lazily after a change. */
    private WireFormat[] present;
    int size;

    CompletableFuture<Void> ready;
    CompletableFuture<Void> tail = DONE;

    /** Subscribers of one executor; the snapshot array is rebuilt lazily after a change. */
    private static final class Group {
        final Executor executor;
        final ArrayList<Subscriber> members = new ArrayList<>();
        Subscriber[] snapshot;

        Group(Executor executor) {
            this.executor = executor;
        }
    }

    /** {@code key} is the group itself: the same for every snapshot of one channel on one loop. */
    record GroupSnapshot(Object key, Executor executor, Subscriber[] subscribers) {
    }

    void add(Subscriber sub) {
        Executor executor = sub.session().executor();
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
        countFormat(sub.session().wireFormat(), 1);
        size++;
    }

    /** Removes a member; false when it was not one (already removed). */
    boolean remove(Subscriber sub) {
        Executor executor = sub.session().executor();
        for (int i = 0; i < groups.size(); i++) {
            Group group = groups.get(i);
            if (group.executor != executor) {
                continue;
            }
            int idx = sub.hubIndex();
            if (idx < 0 || idx >= group.members.size() || group.members.get(idx) != sub) {
                return false;
            }
            // Swap-remove keeps removal O(1); the moved member learns its new index.
            Subscriber last = group.members.removeLast();
            if (last != sub) {
                group.members.set(idx, last);
                last.hubIndex(idx);
            }
            sub.hubIndex(-1);
            group.snapshot = null;
            if (group.members.isEmpty()) {
                groups.remove(i);
            }
            countFormat(sub.session().wireFormat(), -1);
            size--;
            return true;
        }
        return false;
    }

    /** Removes every member (a failed broker subscribe); returns them. */
    List<Subscriber> removeAll() {
        List<Subscriber> out = new ArrayList<>(size);
        for (Group group : groups) {
            for (Subscriber sub : group.members) {
                sub.hubIndex(-1);
                out.add(sub);
            }
        }
        groups.clear();
        formats = new WireFormat[0];
        formatCounts = new int[0];
        present = null;
        size = 0;
        return out;
    }

    /** No member and no broker operation in flight: the entry can leave the hub's map. */
    boolean idle() {
        return size == 0 && ready == null && tail.isDone();
    }

    List<GroupSnapshot> snapshot() {
        List<GroupSnapshot> out = new ArrayList<>(groups.size());
        for (Group group : groups) {
            if (group.snapshot == null) {
                group.snapshot = group.members.toArray(new Subscriber[0]);
            }
            out.add(new GroupSnapshot(group, group.executor, group.snapshot));
        }
        return out;
    }

    WireFormat[] presentFormats() {
        if (present == null) {
            int n = 0;
            for (int count : formatCounts) {
                if (count > 0) {
                    n++;
                }
            }
            WireFormat[] out = new WireFormat[n];
            for (int i = 0, j = 0; i < formatCounts.length; i++) {
                if (formatCounts[i] > 0) {
                    out[j++] = formats[i];
                }
            }
            present = out;
        }
        return present;
    }

    private void countFormat(WireFormat format, int delta) {
        int slot = format.slot();
        if (slot >= formatCounts.length) {
            formatCounts = Arrays.copyOf(formatCounts, slot + 1);
            formats = Arrays.copyOf(formats, slot + 1);
        }
        formats[slot] = format;
        int before = formatCounts[slot];
        formatCounts[slot] = before + delta;
        if (before == 0 || before + delta == 0) {
            present = null;
        }
    }
}
