/**
 * The NATS engine: {@link dev.herald.engines.nats.NatsBroker} (core NATS pub/sub, at-most-once, no history) and
 * {@link dev.herald.engines.nats.NatsController} (control and node subjects) over one shared
 * {@link dev.herald.engines.nats.NatsConnection}, on Centrifugo's subjects ({@code <prefix>.client.<channel>},
 * {@code <prefix>.control}, {@code <prefix>.node.<id>}).
 */
package dev.herald.engines.nats;
