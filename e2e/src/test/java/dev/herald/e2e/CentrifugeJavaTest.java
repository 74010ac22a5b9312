package dev.herald.e2e;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.herald.core.client.ClientSession;
import dev.herald.core.codes.Disconnect;
import dev.herald.core.config.HeraldConfig;
import dev.herald.protocol.Protocol;
import dev.herald.server.HeraldServer;
import io.github.centrifugal.centrifuge.Client;
import io.github.centrifugal.centrifuge.ConnectedEvent;
import io.github.centrifugal.centrifuge.DisconnectedEvent;
import io.github.centrifugal.centrifuge.ErrorEvent;
import io.github.centrifugal.centrifuge.EventListener;
import io.github.centrifugal.centrifuge.Options;
import io.github.centrifugal.centrifuge.PublicationEvent;
import io.github.centrifugal.centrifuge.ReplyError;
import io.github.centrifugal.centrifuge.SubscribedEvent;
import io.github.centrifugal.centrifuge.Subscription;
import io.github.centrifugal.centrifuge.SubscriptionErrorEvent;
import io.github.centrifugal.centrifuge.SubscriptionEventListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The official Java SDK (centrifuge-java 0.4.1 from Maven Central, which speaks protobuf over WebSocket) against a
 * real Herald on port 0, with a connection JWT signed independently of Herald's own signer (nimbus).
 */
class CentrifugeJavaTest {
    private static final long WAIT_SECONDS = 10;

    private String secret;
    private HeraldServer server;
    private Client client;
    private final BlockingQueue<Object> clientEvents = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        secret = Base64.getUrlEncoder().withoutPadding().encodeToString(key);

        HeraldConfig config = new HeraldConfig();
        config.httpServer.address = "127.0.0.1";
        config.httpServer.port = 0;
        config.client.token.hmacSecretKey = secret;
        HeraldConfig.Namespace chat = new HeraldConfig.Namespace();
        chat.name = "chat";
        chat.allowSubscribeForClient = true;
        config.channel.namespaces.add(chat);
        server = HeraldServer.start(config);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (client != null) {
                client.disconnect();
                client.close(5_000);
            }
        } finally {
            server.close();
        }
    }

    private String token(String user) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject(user)
                .issueTime(new Date())
                .expirationTime(new Date(System.currentTimeMillis() + 3_600_000))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    private Client connect(String user) throws Exception {
        Options options = new Options();
        options.setToken(token(user));
        options.setName("java-e2e");
        client = new Client("ws://127.0.0.1:" + server.port() + "/connection/websocket", options, new EventListener() {
            @Override
            public void onConnected(Client c, ConnectedEvent event) {
                clientEvents.add(event);
            }

            @Override
            public void onDisconnected(Client c, DisconnectedEvent event) {
                clientEvents.add(event);
            }

            @Override
            public void onError(Client c, ErrorEvent event) {
                clientEvents.add(event);
            }
        });
        client.connect();
        ConnectedEvent connected = next(clientEvents, ConnectedEvent.class);
        assertFalse(connected.getClient().isEmpty(), "the connect result carries a client id");
        return client;
    }

    /** The next event from the queue, which must be of the given type (errors are reported as such). */
    private static <T> T next(BlockingQueue<Object> events, Class<T> type) throws InterruptedException {
        Object event = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(event, "no " + type.getSimpleName() + " within " + WAIT_SECONDS + " s");
        if (event instanceof ErrorEvent error) {
            throw new AssertionError("client error instead of " + type.getSimpleName(), error.getError());
        }
        if (event instanceof SubscriptionErrorEvent error) {
            throw new AssertionError("subscription error instead of " + type.getSimpleName(), error.getError());
        }
        if (!type.isInstance(event)) {
            throw new AssertionError("expected " + type.getSimpleName() + " but got " + describe(event));
        }
        return type.cast(event);
    }

    private static String describe(Object event) {
        if (event instanceof DisconnectedEvent d) {
            return "DisconnectedEvent(" + d.getCode() + ", " + d.getReason() + ")";
        }
        return event.getClass().getSimpleName();
    }

    @Test
    void connectsOverProtobufSubscribesAndReceivesAPublication() throws Exception {
        Client c = connect("42");
        List<dev.herald.core.hub.HubSession> sessions = server.node().hub().userSessions("42");
        assertEquals(1, sessions.size(), "the server sees user 42 connected");
        assertEquals(Protocol.PROTOBUF, ((ClientSession) sessions.getFirst()).protocol(), "centrifuge-java speaks protobuf");

        BlockingQueue<Object> subEvents = new LinkedBlockingQueue<>();
        Subscription sub = c.newSubscription("chat:java", new SubscriptionEventListener() {
            @Override
            public void onSubscribed(Subscription s, SubscribedEvent event) {
                subEvents.add(event);
            }

            @Override
            public void onPublication(Subscription s, PublicationEvent event) {
                subEvents.add(event);
            }

            @Override
            public void onError(Subscription s, SubscriptionErrorEvent event) {
                subEvents.add(event);
            }
        });
        sub.subscribe();
        next(subEvents, SubscribedEvent.class);

        byte[] data = "{\"text\":\"hello from the server\"}".getBytes(StandardCharsets.UTF_8);
        server.node().publish("chat:java", data, null, null, false, null).toCompletableFuture()
                .get(WAIT_SECONDS, TimeUnit.SECONDS);

        PublicationEvent publication = next(subEvents, PublicationEvent.class);
        assertArrayEquals(data, publication.getData());
    }

    @Test
    void clientPublishIsRefusedWhereTheNamespaceDoesNotAllowIt() throws Exception {
        Client c = connect("42");
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        c.publish("chat:java", "{}".getBytes(StandardCharsets.UTF_8), (error, result) -> outcome.complete(error));
        Throwable error = outcome.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(error, "publish must fail: namespace chat does not allow client publish");
        ReplyError reply = assertInstanceOf(ReplyError.class, error);
        assertEquals(103, reply.getCode());
    }

    @Test
    void serverDisconnectWithCustomCodeReachesTheClient() throws Exception {
        connect("42");
        int closed = server.node().disconnect("42", null, null, null, new Disconnect(4501, "go away"));
        assertEquals(1, closed);
        DisconnectedEvent disconnected = next(clientEvents, DisconnectedEvent.class);
        assertEquals(4501, disconnected.getCode());
        assertEquals("go away", disconnected.getReason());
    }
}
