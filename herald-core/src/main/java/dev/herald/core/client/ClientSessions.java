package dev.herald.core.client;

import dev.herald.core.auth.TokenVerifier;
import dev.herald.core.channel.ChannelRules;
import dev.herald.core.config.FrozenConfig;
import dev.herald.core.engine.Broker;
import dev.herald.core.engine.PresenceManager;
import dev.herald.core.hub.Hub;
import dev.herald.core.proxy.ConnectProxy;
import dev.herald.core.telemetry.Telemetry;
import dev.herald.core.time.Clock;
import dev.herald.core.time.Scheduler;
import dev.herald.core.transport.Transport;

/**
 * The Centrifugo client side of one node: builds the command objects once, each with only the collaborators it
 * uses, and makes the {@link ClientSession}s that share them.
 *
 * <p>It is also what every session of the node has in common: a session keeps one reference to it (not one per
 * collaborator, which would cost each of many idle connections a few more words) and its dispatch and timers read
 * the package-private fields below. Nothing outside this package reaches them.
 */
public final class ClientSessions {
    final FrozenConfig.Client config;
    final Hub hub;
    final Telemetry telemetry;
    /** The sessions' timers; runs on {@link #clock}. */
    final Scheduler scheduler;
    final Clock clock;
    final ConnectCommands connectCommands;
    final SubscribeCommands subscribeCommands;
    final ChannelCommands channelCommands;

    /**
     * @param connectProxy the configured connect proxy, or null
     * @param scheduler    the timer of every session (pings, expiry, stale and position checks)
     * @param clock        the time sessions and commands read; the clock {@code scheduler} runs on
     * @param node         the owning node's identity and the node actions client commands use
     */
    public ClientSessions(FrozenConfig config, ChannelRules rules, Hub hub, Broker broker, PresenceManager presence,
                          TokenVerifier tokenVerifier, ConnectProxy connectProxy, Scheduler scheduler, Clock clock,
                          Telemetry telemetry, NodeLink node) {
        this.config = config.client;
        this.hub = hub;
        this.telemetry = telemetry;
        this.scheduler = scheduler;
        this.clock = clock;
        this.subscribeCommands = new SubscribeCommands(config.client, rules, tokenVerifier, hub, broker, presence,
                clock);
        this.connectCommands = new ConnectCommands(config.client, rules, tokenVerifier, connectProxy, hub, clock,
                subscribeCommands, node.id(), node.version(), node.users());
        this.channelCommands = new ChannelCommands(config.client, config.rpc.ping, rules, presence, node.streams());
    }

    /** A new connection's session; the transport handler feeds it frames. */
    public ClientSession newSession(Transport transport) {
        return new ClientSession(this, transport);
    }

    /** Subscribe and unsubscribe as the server API does them on a live session. */
    public SubscribeCommands subscribeCommands() {
        return subscribeCommands;
    }
}
