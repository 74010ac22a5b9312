package dev.herald.e2e.cluster;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis stopped (SIGKILL) for 10 s under a steady publish load of 20/s through node 1's API, then started again on
 * the same port with its append-only file. No node crashes; {@code /health} answers 503 degraded during the outage
 * and 200 after; and the gap is accounted for: every publication the API acknowledged reached every client on nodes
 * 2 and 3 exactly once and in order - live, or through a recovery after the client was told (unsubscribe 2500 or
 * disconnect 3010) - and the only numbers missing are publications the API refused.
 */
class ClusterRedisOutageTest {
    private static final String CHANNEL = HeraldCluster.CHAT + ":outage";
    private static final Duration OUTAGE = Duration.ofSeconds(10);

    private static DurableRedisServer redis;
    private static HeraldCluster cluster;

    @BeforeAll
    static void startCluster() {
        redis = new DurableRedisServer();
        redis.start();
        cluster = HeraldCluster.start("outage", 3, c -> {
            HeraldCluster.redisEngine(c, "outage", null, redis.address());
            HeraldCluster.chatNamespace(c);
        });
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
        if (redis != null) {
            redis.stop();
        }
    }

    @Test
    void aTenSecondRedisOutageUnderLoadLosesOnlyWhatTheApiRefused() {
        List<SdkClient> clients = new ArrayList<>();
        try {
            for (int node = 1; node <= 2; node++) {
                for (int i = 1; i <= 2; i++) {
                    clients.add(new SdkClient("node" + (node + 1) + "-client" + i, cluster.node(node).wsUrl(),
                            "reader", CHANNEL));
                }
            }
            clients.forEach(c -> c.awaitSubscribed(Duration.ofSeconds(10)));

            SteadyPublisher publisher = new SteadyPublisher(cluster.node(0), CHANNEL, 20);
            Await.until(Duration.ofSeconds(10), "publications flow before the outage",
                    () -> publisher.succeeded().size() >= 20 && clients.stream().allMatch(c -> c.received().size() >= 10));

            redis.stop();
            long down = System.nanoTime();
            for (HeraldProcess node : cluster.nodes()) {
                Await.until(Duration.ofSeconds(8), node.name() + " reports degraded health",
                        () -> degraded(node.health()), () -> node.health().body());
            }
            // The outage lasts its full ten seconds whatever the checks above took.
            Await.pause(Math.max(0, OUTAGE.toMillis() - (System.nanoTime() - down) / 1_000_000));
            for (HeraldProcess node : cluster.nodes()) {
                assertTrue(node.alive(), node.name() + " survived the outage; see " + node.log());
                assertTrue(degraded(node.health()), node.name() + " still degraded at the end of the outage");
            }
            int refusedDuringOutage = publisher.failed().size();
            redis.start();

            for (HeraldProcess node : cluster.nodes()) {
                Await.until(Duration.ofSeconds(20), node.name() + " healthy again",
                        () -> node.health().statusCode() == 200, () -> node.health().body());
                assertEquals("{}", node.health().body().trim());
            }
            int afterRestart = publisher.succeeded().size();
            Await.until(Duration.ofSeconds(10), "publications flow again after the restart",
                    () -> publisher.succeeded().size() >= afterRestart + 40);
            publisher.stop();

            List<Integer> acknowledged = publisher.succeeded();
            Set<Integer> refused = new HashSet<>(publisher.failed());
            assertTrue(refusedDuringOutage > 50, "the API refused publications while Redis was down: "
                    + refusedDuringOutage + " " + publisher.errors());
            for (SdkClient c : clients) {
                Await.until(Duration.ofSeconds(30), c.name() + " has every acknowledged publication",
                        () -> new HashSet<>(c.received()).containsAll(acknowledged),
                        () -> c + " missing " + missing(acknowledged, c.received()));
                assertAccounted(c, acknowledged, refused);
            }
            for (HeraldProcess node : cluster.nodes()) {
                assertTrue(node.alive(), node.name() + " alive at the end");
            }
            System.out.printf("outage: %d acknowledged, %d refused; clients: %s%n", acknowledged.size(),
                    refused.size(), clients.stream().map(c -> c.name() + " told " + c.told() + " subscribed "
                            + c.subscribed()).toList());
        } finally {
            clients.forEach(SdkClient::close);
        }
    }

    /**
     * In order and exactly once; nothing the API acknowledged is missing; anything extra is a publication the API
     * answered with an error although Redis had written it (a reply lost with the connection); every
     * resubscription asked for recovery and got it (the stream survived, with its epoch, in the append-only file).
     */
    private static void assertAccounted(SdkClient c, List<Integer> acknowledged, Set<Integer> refused) {
        List<Integer> received = c.received();
        for (int i = 1; i < received.size(); i++) {
            assertTrue(received.get(i) > received.get(i - 1), c.name() + ": out of order or duplicated at " + i
                    + ": " + received.get(i - 1) + " then " + received.get(i));
        }
        List<Integer> extra = new ArrayList<>(received);
        extra.removeAll(acknowledged);
        assertTrue(refused.containsAll(extra), c.name() + " got publications nobody published: " + extra);
        assertTrue(c.errors().isEmpty(), c.name() + " subscription errors: " + c.errors());
        List<SdkClient.Subscribed> subs = c.subscribed();
        for (SdkClient.Subscribed s : subs.subList(1, subs.size())) {
            assertTrue(s.wasRecovering() && s.recovered(), c.name() + " resubscribed without recovering: " + c);
        }
    }

    private static List<Integer> missing(List<Integer> expected, List<Integer> received) {
        List<Integer> out = new ArrayList<>(expected);
        out.removeAll(new HashSet<>(received));
        return out.size() > 20 ? out.subList(0, 20) : out;
    }

    private static boolean degraded(HttpResponse<String> health) {
        return health.statusCode() == 503 && health.body().contains("\"status\":\"degraded\"");
    }
}
