package dev.herald.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --url}: the generator attaches to servers on this machine's loopback addresses only. */
class BenchMainTest {
    @Test
    void loopbackUrlsAreAccepted() {
        assertEquals(8000, BenchMain.loopbackUrl("http://127.0.0.1:8000").getPort());
        assertEquals("127.0.0.9", BenchMain.loopbackUrl("http://127.0.0.9:9000/").getHost());
        assertEquals("localhost", BenchMain.loopbackUrl("http://localhost:8000").getHost());
        assertEquals("[::1]", BenchMain.loopbackUrl("http://[::1]:8000").getHost());
    }

    @Test
    void otherAddressesAndSchemesAreRefused() {
        IllegalArgumentException remote = assertThrows(IllegalArgumentException.class,
                () -> BenchMain.loopbackUrl("http://10.1.2.3:8000"));
        assertTrue(remote.getMessage().contains("not a loopback address"), remote.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BenchMain.loopbackUrl("http://192.0.2.1:8000"));
        assertThrows(IllegalArgumentException.class, () -> BenchMain.loopbackUrl("https://127.0.0.1:8000"));
        assertThrows(IllegalArgumentException.class, () -> BenchMain.loopbackUrl("127.0.0.1:8000"));
        assertThrows(IllegalArgumentException.class, () -> BenchMain.loopbackUrl("http://exa mple:80"));
    }
}
