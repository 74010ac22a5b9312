package dev.herald.core.testing;

import dev.herald.core.channel.ChannelKey;
import dev.herald.core.engine.Broker;
import dev.herald.core.engine.BrokerEventHandler;
import dev.herald.core.engine.HistoryPage;
import dev.herald.core.engine.HistoryQuery;
import dev.herald.core.engine.PublishOptions;
import dev.herald.core.engine.PublishOutcome;
import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.Publication;

import java.util.concurrent.CompletionStage;

/** A broker that hands every call to another one; test brokers override only what they change. */
public class ForwardingBroker implements Broker {
    protected final Broker inner;

    public ForwardingBroker(Broker inner) {
        this.inner = inner;
    }

    @Override
    public void start(BrokerEventHandler handler) {
        inner.start(handler);
    }

    @Override
    public CompletionStage<PublishOutcome> publish(ChannelKey channel, Publication publication,
                                                   PublishOptions options) {
        return inner.publish(channel, publication, options);
    }

    @Override
    public CompletionStage<Void> publishJoin(ChannelKey channel, ClientInfo info) {
        return inner.publishJoin(channel, info);
    }

    @Override
    public CompletionStage<Void> publishLeave(ChannelKey channel, ClientInfo info) {
        return inner.publishLeave(channel, info);
    }

    @Override
    public CompletionStage<Void> subscribe(ChannelKey channel) {
        return inner.subscribe(channel);
    }

    @Override
    public CompletionStage<Void> unsubscribe(ChannelKey channel) {
        return inner.unsubscribe(channel);
    }

    @Override
    public CompletionStage<HistoryPage> history(ChannelKey channel, HistoryQuery query) {
        return inner.history(channel, query);
    }

    @Override
    public CompletionStage<Void> removeHistory(ChannelKey channel) {
        return inner.removeHistory(channel);
    }

    @Override
    public void close() {
        inner.close();
    }
}
