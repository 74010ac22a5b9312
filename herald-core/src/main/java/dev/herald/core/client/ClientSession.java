package dev.herald.core.client;

import dev.herald.core.codes.Disconnect;
import dev.herald.core.codes.DisconnectException;
import dev.herald.core.codes.ErrorException;
import dev.herald.core.codes.Errors;
import dev.herald.core.channel.ChannelKey;
import dev.herald.core.hub.HubSession;
import dev.herald.core.hub.WireFormat;
import dev.herald.core.time.Scheduler;
import dev.herald.core.transport.Transport;
import dev.herald.protocol.ClientCodec;
import dev.herald.protocol.Command;
import dev.herald.protocol.Protocol;
import dev.herald.protocol.ProtocolException;
import dev.herald.protocol.Push;
import dev.herald.protocol.PushBody;
import dev.herald.protocol.Reply;
import dev.herald.protocol.ReplyError;
import dev.herald.protocol.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * One client connection's state machine and command dispatch. Commands are handled one at a time, in order, on
 * the transport's executor; a command that completes asynchronously (token check, proxy, broker) holds the
 * commands behind it in a small queue. Fields read by the sessions API from other threads are volatile and
 * replaced, never mutated in place. The commands themselves are in {@link ConnectCommands},
 * {@link SubscribeCommands} and {@link ChannelCommands}, the timers in {@link SessionTimers}.
 */
public final class ClientSession implements HubSession {
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
    /** Commands a client may have waiting behind an asynchronous one before it is cut off. */
    private static final int MAX_QUEUED_COMMANDS = 512;

    enum State { CONNECTING, CONNECTED, UNUSABLE, CLOSED }

    /** What every session of this node shares: its commands, hub, clock, timer and telemetry. */
    private final ClientSessions shared;
    private final Transport transport;
    private final ClientCodec codec;
    private final String id;
    private final String sessionId;

    private volatile State state = State.CONNECTING;
    private volatile String user = "";
    private volatile String appName = "";
    private volatile String appVersion = "";
    private volatile long connectedAtMillis;
    private volatile String tokenId;
    private volatile long tokenIssuedAt;
    private volatile byte[] info;
    private volatile byte[] meta;
    /** Unix seconds; 0 = never expires. */
    private volatile long expireAt;
    /** Copy-on-write: replaced on every change so readers on other threads need no lock. */
    private volatile Map<String, Subscription> subscriptions = Map.of();
    /** The sessions API's parsed meta (dev.herald.core.cel), set lazily by the first filter that reads it. */
    private volatile Object parsedMeta;

    // Owned by the executor thread.
    private ArrayDeque<Command> queued;
    private boolean busy;
    private boolean dirty;
    private boolean uniConnectSeen;

    // Timer state, owned by the executor thread and handled by SessionTimers (kept here: no object of its own).
    boolean pongPending;
    /**
     * The one timer of a connected session: it fires at the earliest of the next ping, the pong deadline and the
     * expiry deadline (one pending timeout per idle connection instead of two).
     */
    Scheduler.Cancellable timer;
    /** Epoch millis of the next ping, 0 = no pings; the pong deadline follows from it while a pong is pending. */
    long pingAt;
    Scheduler.Cancellable subExpiryTimer;
    Scheduler.Cancellable staleTimer;
    Scheduler.Cancellable positionTimer;

    /** Made by {@link ClientSessions#newSession}. */
    ClientSession(ClientSessions shared, Transport transport) {
        this.shared = shared;
        this.transport = transport;
        this.codec = ClientCodec.of(transport.protocol());
        this.id = ClientIds.next();
        this.sessionId = transport.unidirectional() || transport.emulation() ? UUID.randomUUID().toString() : "";
        SessionTimers.startStaleCheck(this);
    }

    // ---- read-only view (any thread) ----

    @Override
    public String id() {
        return id;
    }

    /** The Centrifugo surface serves the default app. */
    @Override
    public String app() {
        return ChannelKey.DEFAULT_APP;
    }

    @Override
    public String transportName() {
        return transport.name();
    }

    @Override
    public String protocolName() {
        return transport.protocol().wireName();
    }

    @Override
    public Executor executor() {
        return transport.executor();
    }

    @Override
    public WireFormat wireFormat() {
        return CentrifugoFormats.of(transport.protocol(), transport.unidirectional());
    }

    /** Session id for unidirectional and emulation transports; empty for the others. */
    @Override
    public String sessionId() {
        return sessionId;
    }

    @Override
    public String user() {
        return user;
    }

    @Override
    public String appName() {
        return appName;
    }

    @Override
    public String appVersion() {
        return appVersion;
    }

    @Override
    public long connectedAtMillis() {
        return connectedAtMillis;
    }

    @Override
    public String tokenId() {
        return tokenId;
    }

    @Override
    public long tokenIssuedAt() {
        return tokenIssuedAt;
    }

    /** Public connection info (raw JSON or binary), or null. */
    public byte[] info() {
        return info;
    }

    /** Private meta (raw JSON), or null. Never sent to any client. */
    @Override
    public byte[] meta() {
        return meta;
    }

    /** Scratch slot for the sessions API's expression filter: its parsed {@link #meta()}, or null. */
    @Override
    public Object parsedMeta() {
        return parsedMeta;
    }

    @Override
    public void parsedMeta(Object value) {
        parsedMeta = value;
    }

    public long expireAt() {
        return expireAt;
    }

    @Override
    public Map<String, Subscription> subscriptions() {
        return subscriptions;
    }

    public Transport transport() {
        return transport;
    }

    @Override
    public boolean connected() {
        return state == State.CONNECTED;
    }

    public boolean closed() {
        return state == State.CLOSED;
    }

    ClientSessions shared() {
        return shared;
    }

    ClientCodec codec() {
        return codec;
    }

    // ---- input (executor thread) ----

    /** Handles one transport frame holding one or more commands. */
    public void handleFrame(byte[] frame) {
        if (state == State.CLOSED) {
            return;
        }
        List<Command> commands;
        try {
            commands = codec.decodeCommands(frame);
        } catch (ProtocolException e) {
            log.debug("client {}: malformed frame: {}", id, e.getMessage());
            close(Disconnect.BAD_REQUEST);
            return;
        }
        if (queued == null && !busy && commands.size() == 1) {
            dispatch(commands.getFirst());
            return;
        }
        if (queued == null) {
            queued = new ArrayDeque<>();
        }
        if (queued.size() + commands.size() > MAX_QUEUED_COMMANDS) {
            close(Disconnect.TOO_MANY_REQUESTS);
            return;
        }
        queued.addAll(commands);
        drain();
    }

    /**
     * Handles the connect request of a unidirectional transport: the only command it gets; later ones are ignored.
     */
    public void handleUniConnect(Request.Connect request) {
        if (uniConnectSeen) {
            return;
        }
        uniConnectSeen = true;
        dispatch(new Command(1, request));
    }

    private void drain() {
        while (!busy && queued != null && state != State.CLOSED) {
            Command next = queued.poll();
            if (next == null) {
                queued = null;
                return;
            }
            dispatch(next);
        }
    }

    private void dispatch(Command command) {
        long started = System.nanoTime();
        String method = CommandNames.of(command.request());
        CompletionStage<?> pending;
        try {
            pending = route(command);
        } catch (ErrorException e) {
            reply(Reply.error(command.id(), e.error()));
            pending = null;
        } catch (DisconnectException e) {
            close(e.disconnect());
            pending = null;
        } catch (RuntimeException e) {
            log.warn("client {}: command failed", id, e);
            reply(Reply.error(command.id(), Errors.INTERNAL));
            pending = null;
        }
        if (pending == null) {
            shared.telemetry.commandHandled(method, System.nanoTime() - started);
            return;
        }
        busy = true;
        pending.whenComplete((r, e) -> onLoop(() -> {
            shared.telemetry.commandHandled(method, System.nanoTime() - started);
            busy = false;
            drain();
        }));
    }


    /** Routes one command; returns a stage when the command finishes asynchronously, else null. */
    private CompletionStage<?> route(Command command) {
        Request request = command.request();
        if (request == null) {
            if (command.id() != 0) {
                throw new DisconnectException(Disconnect.BAD_REQUEST);
            }
            SessionTimers.pong(this);
            return null;
        }
        if (command.id() == 0 && !(request instanceof Request.Send)) {
            throw new DisconnectException(Disconnect.BAD_REQUEST);
        }
        if (state != State.CONNECTED) {
            if (state == State.CONNECTING && request instanceof Request.Connect connect) {
                return shared.connectCommands.connect(this, command.id(), connect);
            }
            throw new DisconnectException(Disconnect.BAD_REQUEST);
        }
        long id = command.id();
        return switch (request) {
            case Request.Connect c -> throw new DisconnectException(Disconnect.BAD_REQUEST);
            case Request.Subscribe s -> shared.subscribeCommands.subscribe(this, id, s);
            case Request.Unsubscribe u -> shared.subscribeCommands.unsubscribe(this, id, u);
            case Request.SubRefresh s -> shared.subscribeCommands.subRefresh(this, id, s);
            case Request.Refresh r -> shared.connectCommands.refresh(this, id, r);
            case Request.Publish p -> shared.channelCommands.publish(this, id, p);
            case Request.Presence p -> shared.channelCommands.presence(this, id, p);
            case Request.PresenceStats p -> shared.channelCommands.presenceStats(this, id, p);
            case Request.History h -> shared.channelCommands.history(this, id, h);
            case Request.Rpc r -> shared.channelCommands.rpc(this, id, r);
            case Request.Send s -> throw new DisconnectException(Disconnect.NOT_AVAILABLE);
            case Request.Ping p -> throw new ErrorException(Errors.NOT_AVAILABLE);
        };
    }

    // ---- output ----

    /** Writes a reply; unidirectional transports get none. Executor thread. */
    void reply(Reply reply) {
        if (transport.unidirectional() || state == State.CLOSED) {
            return;
        }
        transport.write(codec.encodeReply(reply));
    }

    void replyError(long commandId, ReplyError error) {
        reply(Reply.error(commandId, error));
    }

    /** Writes one push to this connection alone, in the form its transport needs. Any thread. */
    public void push(Push push) {
        if (state == State.CLOSED) {
            return;
        }
        transport.write(transport.unidirectional() ? codec.encodeUniPush(push) : codec.encodePush(push));
    }

    @Override
    public boolean markDirty() {
        if (dirty) {
            return false;
        }
        dirty = true;
        return true;
    }

    @Override
    public void flushBatch() {
        dirty = false;
        if (state != State.CLOSED) {
            transport.flush();
        }
    }

    // ---- lifecycle ----

    /** Runs {@code task} on this connection's executor. */
    void onLoop(Runnable task) {
        transport.executor().execute(task);
    }

    /** Called by the connect flow once credentials are accepted and the session is in the hub. */
    void markConnected(Credentials credentials, String name, String version) {
        this.user = credentials.user();
        // Interned: a server holds thousands of connections of the same few client libraries and versions.
        this.appName = name == null ? "" : name.intern();
        this.appVersion = version == null ? "" : version.intern();
        this.info = credentials.info();
        this.meta = credentials.meta();
        this.tokenId = credentials.tokenId();
        this.tokenIssuedAt = credentials.tokenIssuedAt();
        this.expireAt = credentials.expireAt();
        this.connectedAtMillis = shared.clock.millis();
        this.state = State.CONNECTED;
        SessionTimers.connected(this);
    }

    /** Sets who the session is before it enters the hub (the hub indexes by user). */
    void assumeUser(String user) {
        this.user = user;
    }

    void markUnusable() {
        if (state == State.CONNECTING) {
            state = State.UNUSABLE;
        }
    }

    void updateCredentials(long newExpireAt, byte[] newInfo, String newTokenId, long newIssuedAt) {
        this.expireAt = newExpireAt;
        if (newInfo != null) {
            this.info = newInfo;
        }
        if (newTokenId != null) {
            this.tokenId = newTokenId;
            this.tokenIssuedAt = newIssuedAt;
        }
        SessionTimers.arm(this);
    }

    /** Server API refresh: new expiry (0 = never) and optionally new info; unidirectional clients get a push. */
    public void serverRefresh(long newExpireAt, byte[] newInfo) {
        if (state != State.CONNECTED) {
            return;
        }
        updateCredentials(newExpireAt, newInfo, null, 0);
        if (transport.unidirectional()) {
            int ttl = newExpireAt > 0 ? (int) Math.max(0, newExpireAt - shared.clock.millis() / 1000) : 0;
            push(new Push("", new PushBody.Refresh(newExpireAt > 0, ttl)));
        }
    }

    void addSubscription(Subscription sub) {
        Map<String, Subscription> next = new HashMap<>(subscriptions);
        next.put(sub.channel(), sub);
        subscriptions = Map.copyOf(next);
    }

    Subscription removeSubscription(String channel) {
        Subscription sub = subscriptions.get(channel);
        if (sub != null) {
            Map<String, Subscription> next = new HashMap<>(subscriptions);
            next.remove(channel);
            subscriptions = Map.copyOf(next);
        }
        return sub;
    }

    /**
     * Closes the connection with the given reason. Callable from any thread: the session leaves the hub at once
     * (so a sessions listing made after this returns no longer shows it); the rest runs on the executor.
     */
    @Override
    public void close(Disconnect disconnect) {
        shared.hub.removeSession(this);
        onLoop(() -> closeOnLoop(disconnect, true));
    }

    /**
     * The network connection is gone: the client closed it, a write failed, or the transport dropped it (then
     * {@code reason} says why, e.g. 3008 slow). Executor thread.
     */
    public void transportClosed(Disconnect reason) {
        shared.hub.removeSession(this);
        closeOnLoop(reason, false);
    }

    private void closeOnLoop(Disconnect disconnect, boolean closeTransport) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        SessionTimers.cancelAll(this);
        queued = null;
        Map<String, Subscription> subs = subscriptions;
        subscriptions = Map.of();
        // entrySet, not values(): values() would cache a view object in every session's map
        for (Map.Entry<String, Subscription> subEntry : subs.entrySet()) {
            Subscription sub = subEntry.getValue();
            shared.subscribeCommands.leave(sub);
        }
        if (closeTransport) {
            transport.close(disconnect);
        }
        shared.telemetry.disconnected(disconnect.code());
    }

    /** Protocol of this connection. */
    public Protocol protocol() {
        return transport.protocol();
    }

}
