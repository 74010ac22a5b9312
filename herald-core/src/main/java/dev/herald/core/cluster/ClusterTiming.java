package dev.herald.core.cluster;

import java.time.Duration;

/**
 * How often a node sends its heartbeat, how long a silent node stays listed (the heartbeat window, counted from
 * its last heartbeat), and how long a survey waits for answers by default.
 */
public record ClusterTiming(Duration heartbeatInterval, Duration heartbeatWindow, Duration surveyTimeout) {

    /** Centrifugo's figures: a heartbeat every 3 s, dropped after 7 s (two missed and a second), surveys 10 s. */
    public static final ClusterTiming DEFAULTS =
            new ClusterTiming(Duration.ofSeconds(3), Duration.ofSeconds(7), Duration.ofSeconds(10));

    public ClusterTiming {
        positive("heartbeatInterval", heartbeatInterval);
        positive("heartbeatWindow", heartbeatWindow);
        positive("surveyTimeout", surveyTimeout);
        if (heartbeatWindow.compareTo(heartbeatInterval) <= 0) {
            throw new IllegalArgumentException("the heartbeat window (" + heartbeatWindow
                    + ") must be longer than the heartbeat interval (" + heartbeatInterval + ")");
        }
    }

    private static void positive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
