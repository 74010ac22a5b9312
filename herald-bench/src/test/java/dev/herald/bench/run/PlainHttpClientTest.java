package dev.herald.bench.run;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link PlainHttpClient} against a scripted server: keep-alive reuse, split reads, a closed connection reopened. */
class PlainHttpClientTest {

    /** Reads one request (headers + Content-Length body) and returns it as text. */
    private static String readRequest(InputStream in) throws Exception {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            String s = head.toString(StandardCharsets.ISO_8859_1);
            if (s.endsWith("\r\n\r\n")) {
                int at = s.toLowerCase().indexOf("content-length:");
                int length = Integer.parseInt(s.substring(at + 15, s.indexOf("\r\n", at)).trim());
                byte[] body = in.readNBytes(length);
                return s + new String(body, StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    @Test
    void keepsTheConnectionAndReadsSplitResponses() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    // First connection: two answers, the second in small pieces, then the server closes it.
                    try (Socket s = server.accept()) {
                        connections.incrementAndGet();
                        OutputStream out = s.getOutputStream();
                        requests.add(readRequest(s.getInputStream()));
                        out.write(("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n"
                                + "{\"result\":1").getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                        requests.add(readRequest(s.getInputStream()));
                        byte[] second = ("HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope")
                                .getBytes(StandardCharsets.ISO_8859_1);
                        for (byte x : second) {
                            out.write(x);
                            out.flush();
                        }
                    }
                    // Second connection, after the client found the first one closed.
                    try (Socket s = server.accept()) {
                        connections.incrementAndGet();
                        requests.add(readRequest(s.getInputStream()));
                        s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
                                .getBytes(StandardCharsets.ISO_8859_1));
                    }
                } catch (Exception e) {
                    requests.add("server failed: " + e);
                }
            });
            try (PlainHttpClient client = new PlainHttpClient("127.0.0.1", server.getLocalPort())) {
                PlainHttpClient.Response a = client.post("/api/connections", "key", "{\"user\":\"u1\"}"
                        .getBytes(StandardCharsets.UTF_8));
                assertEquals(200, a.status());
                assertEquals("{\"result\":1", a.text());
                PlainHttpClient.Response b = client.post("/api/x", "key", new byte[0]);
                assertEquals(404, b.status());
                assertEquals("nope", b.text());
                PlainHttpClient.Response c = client.post("/api/y", "key", "{}".getBytes(StandardCharsets.UTF_8));
                assertEquals(200, c.status());
                assertEquals("{}", c.text());
            }
            t.join(5_000);
        }
        assertEquals(2, connections.get());
        assertEquals(3, requests.size(), requests.toString());
        assertTrue(requests.get(0).startsWith("POST /api/connections HTTP/1.1\r\n"), requests.get(0));
        assertTrue(requests.get(0).contains("X-API-Key: key\r\n"), requests.get(0));
        assertTrue(requests.get(0).endsWith("\r\n\r\n{\"user\":\"u1\"}"), requests.get(0));
    }

    @Test
    void aFreshConnectionThatFailsIsAnError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (PlainHttpClient client = new PlainHttpClient("127.0.0.1", port)) {
            assertThrows(java.io.IOException.class, () -> client.post("/api", "k", new byte[0]));
        }
    }
}
