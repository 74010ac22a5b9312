package dev.herald.bench.load;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which user a connection is: consecutive runs by default, a cycle when the cluster scenario spreads users. */
class WorkerPlanTest {
    private static WorkerPlan plan(int connsPerUser, int userCycle) {
        return new WorkerPlan(0, "127.0.0.1", 8000, "/connection/websocket", false, 0, 9, "shared:bench", "",
                connsPerUser, userCycle, 0, List.of(), 1, 100, 10, 60_000, 3_600);
    }

    @Test
    void withoutACycleAUsersConnectionsAreConsecutive() {
        WorkerPlan p = plan(3, 0);
        assertEquals(List.of("u0", "u0", "u0", "u1", "u1", "u1", "u2"),
                IntStream.range(0, 7).mapToObj(p::user).toList());
    }

    @Test
    void withACycleEachThirdOfTheConnectionsHoldsEveryUserOnce() {
        // 9 connections, 3 users, split in three consecutive ranges (one per node): each range has u0, u1, u2.
        WorkerPlan p = plan(3, 3);
        for (int node = 0; node < 3; node++) {
            Set<String> users = IntStream.range(node * 3, node * 3 + 3).mapToObj(p::user).collect(Collectors.toSet());
            assertEquals(Set.of("u0", "u1", "u2"), users, "users of node " + node);
        }
        assertEquals(p.userCycle(), p.slice(1, 3, 6, List.of("127.0.0.2")).userCycle(), "a slice keeps the cycle");
    }
}
