package dev.herald.bench.server;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** {@link Jcmd#parseHeapInfo} on GC.heap_info output of JDK 25's collectors. */
class JcmdTest {
    @Test
    void g1HasOneTotalLine() {
        Jcmd.HeapInfo h = Jcmd.parseHeapInfo("""
                4289:
                 garbage-first heap   total reserved 6172672K, committed 393216K, used 2477K [0x0000000687400000, 0x0000000800000000)
                  region size 4096K, 1 young (4096K), 0 survivors (0K)
                 Metaspace       used 1234K, committed 1408K, reserved 1114112K
                """);
        assertEquals(new Jcmd.HeapInfo(393216L * 1024, 2477L * 1024, 0x0000000687400000L, 0x0000000800000000L), h);
    }

    @Test
    void serialSumsYoungAndTenured() {
        Jcmd.HeapInfo h = Jcmd.parseHeapInfo("""
                4215:
                DefNew     total 116160K, used 8263K [0x0000000687400000, 0x000000068f200000, 0x0000000704d50000)
                 eden space 103296K,   8% used [0x0000000687400000, 0x0000000687c11ef0, 0x000000068d8e0000)
                 from space 12864K,   0% used [0x000000068d8e0000, 0x000000068d8e0000, 0x000000068e570000)
                 to   space 12864K,   0% used [0x000000068e570000, 0x000000068e570000, 0x000000068f200000)
                Tenured    total 258048K, used 1166K [0x0000000704d50000, 0x0000000714950000, 0x0000000800000000)
                 the  space 258048K,   0% used [0x0000000704d50000, 0x0000000704e73ab8, 0x0000000714950000)
                 Metaspace       used 1234K, committed 1408K, reserved 1114112K
                """);
        assertEquals(new Jcmd.HeapInfo((116160L + 258048) * 1024, (8263L + 1166) * 1024), h);
    }

    @Test
    void parallelSumsBothGenerations() {
        Jcmd.HeapInfo h = Jcmd.parseHeapInfo("""
                4251:
                PSYoungGen      total 113152K, used 7782K [0x0000000782700000, 0x000000078a500000, 0x0000000800000000)
                 eden space 97280K, 8% used [0x0000000782700000,0x0000000782e999d0,0x0000000788600000)
                ParOldGen       total 258048K, used 1166K [0x0000000687400000, 0x0000000697000000, 0x0000000782700000)
                 object space 258048K, 0% used [0x0000000687400000,0x0000000687523ab8,0x0000000697000000)
                """);
        assertEquals(new Jcmd.HeapInfo((113152L + 258048) * 1024, (7782L + 1166) * 1024), h);
    }

    @Test
    void zgc() {
        Jcmd.HeapInfo h = Jcmd.parseHeapInfo("""
                4377:
                 ZHeap            used 4M, capacity 378M, max capacity 6028M
                """);
        assertEquals(new Jcmd.HeapInfo(378L << 20, 4L << 20), h);
    }

    @Test
    void unknownOutput() {
        assertNull(Jcmd.parseHeapInfo("4377:\nsomething else\n"));
        assertNull(Jcmd.parseHeapInfo(null));
    }
}
