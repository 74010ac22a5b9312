package dev.herald.core.client;

import dev.herald.core.codes.Disconnect;
import dev.herald.core.codes.DisconnectException;
import dev.herald.core.config.FrozenConfig;
import dev.herald.core.time.Scheduler;
import dev.herald.protocol.PushBody;

import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * What a session's timers do: the stale check before connect; the one timer of a connected session (ping, pong
 * deadline and expiry); the subscription expiry check; the periodic position check. Everything runs on the
 * session's executor.
 *
 * <p>Stateless: the timer handles and the ping state stay fields of the {@link ClientSession} (an object of its own
 * per session would cost every connection an extra header and reference), this class keeps their logic together.
 */
final class SessionTimers {
    private SessionTimers() {
    }

    // ---- before connect ----

    /** Closes the session ({@link Disconnect#STALE}) if it has not connected within the stale close delay. */
    static void startStaleCheck(ClientSession s) {
        long staleMillis = s.shared().config.staleCloseDelay.toMillis();
        s.staleTimer = s.shared().scheduler.schedule(() -> s.onLoop(() -> closeIfStale(s)), staleMillis,
                TimeUnit.MILLISECONDS);
    }

    private static void closeIfStale(ClientSession s) {
        if (!s.connected() && !s.closed()) {
            s.close(Disconnect.STALE);
        }
    }

    // ---- ping, pong and expiry: one timer ----

    /** The session has just connected: the stale check ends, pings start after a random part of the interval. */
    static void connected(ClientSession s) {
        cancel(s.staleTimer);
        s.staleTimer = null;
        long intervalMillis = s.shared().config.pingInterval.toMillis();
        if (intervalMillis > 0) {
            s.pingAt = s.shared().clock.millis()
                    + ThreadLocalRandom.current().nextLong(intervalMillis / 2, intervalMillis + 1);
        }
        arm(s);
    }

    /** The client sent a pong (an empty command); one it was not asked for is a bad request. */
    static void pong(ClientSession s) {
        if (!s.pongPending) {
            throw new DisconnectException(Disconnect.BAD_REQUEST);
        }
        s.pongPending = false;
    }

    /** Epoch millis at which an expired connection is closed (expiry plus grace), 0 = never. */
    private static long expiryDeadline(ClientSession s) {
        long expireAt = s.expireAt();
        return expireAt <= 0 ? 0 : expireAt * 1000 + s.shared().config.expiredCloseDelay.toMillis();
    }

    /** Epoch millis by which the pending pong must arrive (the last ping plus the pong timeout), 0 = none. */
    private static long pongDeadline(ClientSession s) {
        if (!s.pongPending || s.pingAt == 0) {
            return 0;
        }
        FrozenConfig.Client config = s.shared().config;
        return s.pingAt - config.pingInterval.toMillis() + config.pongTimeout.toMillis();
    }

    /** (Re-)arms the session's one timer for the earliest pending event (after connect, refresh or a firing). */
    static void arm(ClientSession s) {
        cancel(s.timer);
        s.timer = null;
        if (s.closed()) {
            return;
        }
        long at = earliest(earliest(s.pingAt, pongDeadline(s)), expiryDeadline(s));
        if (at == 0) {
            return;
        }
        long delay = Math.max(at - s.shared().clock.millis(), 0);
        s.timer = s.shared().scheduler.schedule(() -> s.onLoop(() -> onTimer(s)), delay, TimeUnit.MILLISECONDS);
    }

    private static long earliest(long a, long b) {
        return a == 0 ? b : b == 0 ? a : Math.min(a, b);
    }

    /** The timer fired: expiry first, then the pong deadline, then the ping. */
    private static void onTimer(ClientSession s) {
        s.timer = null;
        if (!s.connected()) {
            return;
        }
        long now = s.shared().clock.millis();
        long deadline = expiryDeadline(s);
        if (deadline > 0 && now >= deadline) {
            s.close(Disconnect.EXPIRED);
            return;
        }
        long pongDeadline = pongDeadline(s);
        if (pongDeadline > 0 && now >= pongDeadline) {
            s.close(Disconnect.NO_PONG);
            return;
        }
        if (s.pingAt > 0 && now >= s.pingAt) {
            sendPing(s, now);
        }
        arm(s);
    }

    private static void sendPing(ClientSession s, long now) {
        s.transport().write(s.codec().ping());
        FrozenConfig.Client config = s.shared().config;
        s.pingAt = now + config.pingInterval.toMillis();
        long pongMillis = config.pongTimeout.toMillis();
        if (!s.transport().unidirectional() && pongMillis > 0) {
            s.pongPending = true;
        }
    }

    // ---- subscriptions ----

    /** Re-arms the subscription expiry check for the earliest expiring subscription. */
    static void scheduleSubExpiry(ClientSession s) {
        cancel(s.subExpiryTimer);
        s.subExpiryTimer = null;
        long earliest = Long.MAX_VALUE;
        // entrySet, not values(): values() would cache a view object in every session's map
        for (Map.Entry<String, Subscription> subEntry : s.subscriptions().entrySet()) {
            Subscription sub = subEntry.getValue();
            if (sub.expireAt() > 0) {
                earliest = Math.min(earliest, sub.expireAt());
            }
        }
        if (earliest == Long.MAX_VALUE) {
            return;
        }
        long delayMillis = earliest * 1000 - s.shared().clock.millis()
                + s.shared().config.expiredSubCloseDelay.toMillis();
        s.subExpiryTimer = s.shared().scheduler.schedule(() -> s.onLoop(() -> checkSubExpiry(s)),
                Math.max(delayMillis, 0), TimeUnit.MILLISECONDS);
    }

    private static void checkSubExpiry(ClientSession s) {
        if (!s.connected()) {
            return;
        }
        long now = s.shared().clock.millis();
        long grace = s.shared().config.expiredSubCloseDelay.toMillis();
        // entrySet, not values(): values() would cache a view object in every session's map
        for (Map.Entry<String, Subscription> subEntry : s.subscriptions().entrySet()) {
            Subscription sub = subEntry.getValue();
            if (sub.expireAt() > 0 && now >= sub.expireAt() * 1000 + grace) {
                if (sub.serverSide()) {
                    s.close(Disconnect.SUBSCRIPTION_EXPIRED);
                    return;
                }
                s.shared().subscribeCommands.unsubscribeWithPush(s, sub.channel(),
                        new PushBody.Unsubscribe(2501, "subscription expired"));
            }
        }
        scheduleSubExpiry(s);
    }

    /** Starts the periodic position check once the session has a positioned subscription. */
    static void ensurePositionCheck(ClientSession s) {
        if (s.positionTimer != null || s.closed()) {
            return;
        }
        long delay = s.shared().config.channelPositionCheckDelay.toMillis();
        if (delay <= 0) {
            return;
        }
        s.positionTimer = s.shared().scheduler.schedule(() -> s.onLoop(() -> checkPositions(s)), delay,
                TimeUnit.MILLISECONDS);
    }

    private static void checkPositions(ClientSession s) {
        s.positionTimer = null;
        if (s.connected() && s.shared().subscribeCommands.checkPositions(s)) {
            ensurePositionCheck(s);
        }
    }

    // ---- close ----

    /** The session is closing: no timer of it fires any more. */
    static void cancelAll(ClientSession s) {
        cancel(s.timer);
        s.timer = null;
        cancel(s.subExpiryTimer);
        cancel(s.staleTimer);
        cancel(s.positionTimer);
    }

    private static void cancel(Scheduler.Cancellable timer) {
        if (timer != null) {
            timer.cancel();
        }
    }
}
