package dev.herald.server.metrics;

import dev.herald.core.Node;
import dev.herald.core.telemetry.Telemetry;
import dev.herald.server.http.HttpService;
import dev.herald.server.http.Responses;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Prometheus metrics of one node: live gauges read from the hub at scrape time, counters and histograms fed by
 * the {@link Telemetry} hooks. Names follow Centrifugo's {@code centrifugo_*} families with a {@code herald_}
 * prefix.
 */
public final class PrometheusTelemetry implements Telemetry {
    private static final double[] DURATION_BUCKETS =
            {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter messagesSent = Counter.builder().name("herald_node_messages_sent")
            .help("Messages queued to clients, by type").labelNames("type").register(registry);
    private final Histogram commandDuration = Histogram.builder().name("herald_client_command_duration_seconds")
            .help("Client command handling time, by method").labelNames("method").classicOnly()
            .classicUpperBounds(DURATION_BUCKETS).register(registry);
    private final Histogram apiDuration = Histogram.builder().name("herald_api_command_duration_seconds")
            .help("Server API call time, by method").labelNames("method").classicOnly()
            .classicUpperBounds(DURATION_BUCKETS).register(registry);
    private final Counter apiErrors = Counter.builder().name("herald_api_errors")
            .help("Server API calls that returned an error, by method").labelNames("method").register(registry);
    private final Counter disconnects = Counter.builder().name("herald_client_disconnects")
            .help("Closed connections, by disconnect code").labelNames("code").register(registry);

    /** Registers the gauges that read the node's live figures; call once the node exists. */
    public void bind(Supplier<Node> nodeSupplier) {
        GaugeWithCallback.builder().name("herald_node_num_clients").help("Connected clients on this node")
                .callback(cb -> cb.call(nodeSupplier.get().hub().numClients())).register(registry);
        GaugeWithCallback.builder().name("herald_node_num_users").help("Distinct users on this node")
                .callback(cb -> cb.call(nodeSupplier.get().hub().numUsers())).register(registry);
        GaugeWithCallback.builder().name("herald_node_num_channels").help("Channels with subscribers on this node")
                .callback(cb -> cb.call(nodeSupplier.get().hub().numChannels())).register(registry);
        GaugeWithCallback.builder().name("herald_node_num_subscriptions").help("Subscriptions on this node")
                .callback(cb -> cb.call(nodeSupplier.get().info().numSubs())).register(registry);
    }

    @Override
    public void commandHandled(String method, long nanos) {
        commandDuration.labelValues(method).observe(nanos / 1e9);
    }

    @Override
    public void messagesSent(String type, int count) {
        if (count > 0) {
            messagesSent.labelValues(type).inc(count);
        }
    }

    @Override
    public void apiCall(String method, long nanos, boolean error) {
        apiDuration.labelValues(method).observe(nanos / 1e9);
        if (error) {
            apiErrors.labelValues(method).inc();
        }
    }

    @Override
    public void disconnected(int code) {
        disconnects.labelValues(Integer.toString(code)).inc();
    }

    /** The {@code /metrics} endpoint in Prometheus text format. */
    public HttpService endpoint() {
        PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
        return request -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
            try {
                writer.write(out, registry.scrape());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return CompletableFuture.completedFuture(
                    Responses.of(HttpResponseStatus.OK, writer.getContentType(), out.toByteArray()));
        };
    }
}
