package dev.herald.e2e.cluster;

import io.github.centrifugal.centrifuge.Client;
import io.github.centrifugal.centrifuge.ConnectedEvent;
import io.github.centrifugal.centrifuge.ConnectingEvent;
import io.github.centrifugal.centrifuge.DisconnectedEvent;
import io.github.centrifugal.centrifuge.ErrorEvent;
import io.github.centrifugal.centrifuge.EventListener;
import io.github.centrifugal.centrifuge.Options;
import io.github.centrifugal.centrifuge.PublicationEvent;
import io.github.centrifugal.centrifuge.SubscribedEvent;
import io.github.centrifugal.centrifuge.Subscription;
import io.github.centrifugal.centrifuge.SubscriptionErrorEvent;
import io.github.centrifugal.centrifuge.SubscriptionEventListener;
import io.github.centrifugal.centrifuge.SubscribingEvent;
import io.github.centrifugal.centrifuge.UnsubscribedEvent;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The official centrifuge-java SDK (protobuf over WebSocket) with one subscription, recording what a recovery test
 * needs: the sequence numbers of the publications received ({@code {"n": 7}}), every subscribe outcome
 * (was it recovering, did it recover) and the codes the client was told (unsubscribe 2500 makes the SDK
 * resubscribe, disconnect 3010 makes it reconnect; both then ask for recovery from the last offset it saw).
 * Reconnects and resubscribes are quick (200 ms to 1 s) so that tests stay short.
 */
public final class SdkClient implements AutoCloseable {
    private static final Pattern SEQ = Pattern.compile("\"n\"\\s*:\\s*(\\d+)");

    /** One subscribe outcome of the subscription. */
    public record Subscribed(boolean wasRecovering, boolean recovered) {
    }

    /** A code the client or its subscription was given: a reason to resubscribe or reconnect. */
    public record Told(String what, int code, String reason) {
    }

    private final String name;
    private final Client client;
    private final Subscription subscription;
    private final List<Integer> received = new CopyOnWriteArrayList<>();
    private final List<Long> offsets = new CopyOnWriteArrayList<>();
    private final List<Subscribed> subscribed = new CopyOnWriteArrayList<>();
    private final List<Told> told = new CopyOnWriteArrayList<>();
    /** Subscription errors (a refused subscribe or resubscribe). */
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    /** Client errors: transport failures while a connection is cut or refused count here, they are expected. */
    private final List<Throwable> clientErrors = new CopyOnWriteArrayList<>();
    private final List<String> connected = new CopyOnWriteArrayList<>();

    /** Connects to {@code url} as {@code user} and subscribes to {@code channel} (recoverable, positioned). */
    public SdkClient(String name, String url, String user, String channel) {
        this.name = name;
        Options options = new Options();
        options.setToken(Tokens.connection(user));
        options.setName("cluster-it");
        options.setMinReconnectDelay(200);
        options.setMaxReconnectDelay(1_000);
        client = new Client(url, options, new Listener());
        io.github.centrifugal.centrifuge.SubscriptionOptions subOptions =
                new io.github.centrifugal.centrifuge.SubscriptionOptions();
        subOptions.setRecoverable(true);
        subOptions.setPositioned(true);
        subOptions.setMinResubscribeDelay(200);
        subOptions.setMaxResubscribeDelay(1_000);
        try {
            subscription = client.newSubscription(channel, subOptions, new SubListener());
        } catch (io.github.centrifugal.centrifuge.DuplicateSubscriptionException e) {
            throw new IllegalStateException(e);
        }
        client.connect();
        subscription.subscribe();
    }

    /** Waits until the first subscribe succeeded. */
    public SdkClient awaitSubscribed(Duration bound) {
        Await.until(bound, name + " subscribed", () -> !subscribed.isEmpty(), this::toString);
        return this;
    }

    public List<Integer> received() {
        return List.copyOf(received);
    }

    public List<Long> offsets() {
        return List.copyOf(offsets);
    }

    public List<Subscribed> subscribed() {
        return List.copyOf(subscribed);
    }

    public List<Told> told() {
        return List.copyOf(told);
    }

    /** Subscription errors: none is expected in these tests. */
    public List<Throwable> errors() {
        return List.copyOf(errors);
    }

    public List<Throwable> clientErrors() {
        return List.copyOf(clientErrors);
    }

    /** The client ids of the connections this client made, in order. */
    public List<String> connected() {
        return List.copyOf(connected);
    }

    public String name() {
        return name;
    }

    @Override
    public void close() {
        client.disconnect();
        try {
            client.close(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + "{received " + received.size() + (received.isEmpty() ? "" : " last " + received.getLast())
                + ", subscribed " + subscribed + ", told " + told + ", errors " + errors + ", client errors " + clientErrors.size() + "}";
    }

    private final class Listener extends EventListener {
        @Override
        public void onConnected(Client c, ConnectedEvent event) {
            connected.add(event.getClient());
        }

        @Override
        public void onConnecting(Client c, ConnectingEvent event) {
            told.add(new Told("connecting", event.getCode(), event.getReason()));
        }

        @Override
        public void onDisconnected(Client c, DisconnectedEvent event) {
            told.add(new Told("disconnected", event.getCode(), event.getReason()));
        }

        @Override
        public void onError(Client c, ErrorEvent event) {
            clientErrors.add(event.getError());
        }
    }

    private final class SubListener extends SubscriptionEventListener {
        @Override
        public void onPublication(Subscription s, PublicationEvent event) {
            Matcher m = SEQ.matcher(new String(event.getData(), StandardCharsets.UTF_8));
            received.add(m.find() ? Integer.parseInt(m.group(1)) : -1);
            offsets.add(event.getOffset());
        }

        @Override
        public void onSubscribed(Subscription s, SubscribedEvent event) {
            subscribed.add(new Subscribed(Boolean.TRUE.equals(event.wasRecovering()),
                    Boolean.TRUE.equals(event.getRecovered())));
        }

        @Override
        public void onSubscribing(Subscription s, SubscribingEvent event) {
            told.add(new Told("subscribing", event.getCode(), event.getReason()));
        }

        @Override
        public void onUnsubscribed(Subscription s, UnsubscribedEvent event) {
            told.add(new Told("unsubscribed", event.getCode(), event.getReason()));
        }

        @Override
        public void onError(Subscription s, SubscriptionErrorEvent event) {
            errors.add(event.getError());
        }
    }
}
