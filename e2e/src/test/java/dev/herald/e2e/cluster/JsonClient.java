package dev.herald.e2e.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal Centrifugo protocol v2 client over {@link java.net.http.WebSocket} with JSON frames, for the scenarios
 * that need no recovery logic: it connects with a token, subscribes, answers server pings, and records every push
 * and the close code. Frames may hold several newline-separated replies; they are split here.
 */
public final class JsonClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final long WAIT_SECONDS = 10;

    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> replies = new ConcurrentHashMap<>();
    private final List<JsonNode> pushes = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final CompletableFuture<JsonNode> connectReply;
    private final WebSocket ws;

    private JsonClient(String url, String token) {
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        replies.put(1, reply);
        ids.set(1);
        connectReply = reply;
        try {
            ws = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(URI.create(url), new Listener()).get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot open " + url, e);
        }
        send("{\"id\":1,\"connect\":{\"token\":\"" + token + "\",\"name\":\"cluster-it\"}}");
    }

    /** Opens a connection and sends {@code connect} for {@code user}, without waiting for the outcome. */
    public static JsonClient open(HeraldProcess node, String user) {
        return new JsonClient(node.wsUrl(), Tokens.connection(user));
    }

    /** Opens a connection and waits for a successful connect reply. */
    public static JsonClient connect(HeraldProcess node, String user) {
        JsonClient c = open(node, user);
        c.awaitConnected();
        return c;
    }

    /** The connect result; fails when the reply is an error or the server closed the connection instead. */
    public JsonNode awaitConnected() {
        JsonNode reply = await(CompletableFuture.anyOf(connectReply, closed), "connect reply");
        if (reply == null || reply.isInt()) {
            throw new AssertionError("connection closed with " + closeCode() + " instead of connecting");
        }
        if (reply.has("error")) {
            throw new AssertionError("connect failed: " + reply);
        }
        return reply.get("connect");
    }

    /** The client id the server gave this connection. */
    public String clientId() {
        return awaitConnected().path("client").asText();
    }

    /** Subscribes to {@code channel}; returns the subscribe result, fails on an error reply. */
    public JsonNode subscribe(String channel) {
        JsonNode reply = command("subscribe", JSON.createObjectNode().put("channel", channel));
        if (reply.has("error")) {
            throw new AssertionError("subscribe to " + channel + " failed: " + reply);
        }
        return reply.get("subscribe");
    }

    /** Sends one command and waits for its reply (result or error). */
    public JsonNode command(String method, ObjectNode params) {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        replies.put(id, reply);
        ObjectNode cmd = JSON.createObjectNode().put("id", id);
        cmd.set(method, params);
        send(cmd.toString());
        return await(reply, method + " reply");
    }

    /** Publications pushed in {@code channel} so far, in arrival order. */
    public List<JsonNode> publications(String channel) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : pushes) {
            if (channel.equals(p.path("channel").asText()) && p.has("pub")) {
                out.add(p.get("pub"));
            }
        }
        return out;
    }

    /** Every push received so far (the {@code push} objects). */
    public List<JsonNode> pushes() {
        return List.copyOf(pushes);
    }

    /** The close code the server sent, or -1 while the connection is open. */
    public int closeCode() {
        return closed.isDone() ? closed.join() : -1;
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /** Waits until the server closes the connection and returns its close code. */
    public int awaitClose(Duration bound) {
        try {
            return closed.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("connection not closed within " + bound.toMillis() + " ms");
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(e -> null);
            ws.abort();
        }
    }

    private synchronized void send(String text) {
        // java.net.http.WebSocket allows one outstanding send: wait for each (the pong from the listener too).
        try {
            ws.sendText(text, true).get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException("send failed: " + text, e);
        }
    }

    private static <T> JsonNode await(CompletableFuture<T> future, String what) {
        try {
            Object v = future.get(WAIT_SECONDS, TimeUnit.SECONDS);
            return v instanceof Integer code ? JSON.getNodeFactory().numberNode(code) : (JsonNode) v;
        } catch (TimeoutException e) {
            throw new AssertionError("no " + what + " within " + WAIT_SECONDS + " s");
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    private void onMessage(String line) {
        JsonNode reply;
        try {
            reply = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("bad JSON from server: " + line, e);
        }
        if (reply.isEmpty()) {
            // A server ping: answer with an empty command, off the listener thread (send waits).
            Thread.startVirtualThread(() -> send("{}"));
        } else if (reply.has("push")) {
            pushes.add(reply.get("push"));
        } else {
            CompletableFuture<JsonNode> pending = replies.remove(reply.path("id").asInt());
            if (pending != null) {
                pending.complete(reply);
            }
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                for (String line : text.toString().split("\n")) {
                    if (!line.isBlank()) {
                        onMessage(line.trim());
                    }
                }
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-2);
        }
    }
}
