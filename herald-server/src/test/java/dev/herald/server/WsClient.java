package dev.herald.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A minimal WebSocket test client on the JDK's HttpClient: records text/binary messages and the close code. */
public final class WsClient implements WebSocket.Listener, AutoCloseable {
    public final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    public final BlockingQueue<byte[]> binaries = new LinkedBlockingQueue<>();
    public final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    public final CompletableFuture<String> closeReason = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();
    private final java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();
    private final WebSocket ws;

    private WsClient(URI uri, String subprotocol) throws Exception {
        this(uri, subprotocol, java.util.Map.of());
    }

    private WsClient(URI uri, String subprotocol, java.util.Map<String, String> headers) throws Exception {
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5));
        if (subprotocol != null) {
            builder.subprotocols(subprotocol);
        }
        headers.forEach(builder::header);
        ws = builder.buildAsync(uri, this).get(5, TimeUnit.SECONDS);
    }

    public static WsClient open(int port, String path) throws Exception {
        return new WsClient(URI.create("ws://127.0.0.1:" + port + path), null);
    }

    /** Opens with extra headers on the upgrade request. */
    public static WsClient open(int port, String path, java.util.Map<String, String> headers) throws Exception {
        return new WsClient(URI.create("ws://127.0.0.1:" + port + path), null, headers);
    }

    public static WsClient openProtobuf(int port) throws Exception {
        return new WsClient(URI.create("ws://127.0.0.1:" + port + "/connection/websocket"), "centrifuge-protobuf");
    }

    public void send(String message) {
        ws.sendText(message, true).join();
    }

    public void sendBinary(byte[] message) {
        ws.sendBinary(ByteBuffer.wrap(message), true).join();
    }

    /** Next text message, failing the test after 5 s. */
    public String next() throws InterruptedException {
        String s = texts.poll(5, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("no message within 5s");
        }
        return s;
    }

    /** Next text message that contains {@code needle}, skipping others (pings, other pushes). */
    public String nextContaining(String needle) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            String s = texts.poll(100, TimeUnit.MILLISECONDS);
            if (s != null && s.contains(needle)) {
                return s;
            }
        }
        throw new AssertionError("no message containing " + needle);
    }

    public int awaitClose() throws Exception {
        return closeCode.get(5, TimeUnit.SECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            texts.add(text.toString());
            text.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] chunk = new byte[data.remaining()];
        data.get(chunk);
        binary.writeBytes(chunk);
        if (last) {
            binaries.add(binary.toByteArray());
            binary.reset();
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeCode.complete(statusCode);
        closeReason.complete(reason);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closeCode.complete(-1);
        closeReason.complete(String.valueOf(error));
    }

    @Override
    public void close() {
        ws.abort();
    }
}
