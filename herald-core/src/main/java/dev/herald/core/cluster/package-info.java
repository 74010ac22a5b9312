/**
 * Node-to-node control: what lets the server API act on every node and list what every node holds.
 *
 * <ul>
 *   <li>{@link dev.herald.core.cluster.Controller}: the engine SPI, four methods that move encoded
 *       {@link dev.herald.protocol.control.ControlMessage}s (broadcast, send to one node). Implementations:
 *       {@link dev.herald.core.cluster.LocalController} (one node, the default),
 *       {@link dev.herald.core.cluster.MemoryControlBus} (several nodes in one JVM, with fault injection), and
 *       the Redis and NATS engines of their own module.</li>
 *   <li>{@link dev.herald.core.cluster.Cluster}: built once over any controller; the node's only entry point.
 *       It encodes and decodes, drops its own echoes, runs surveys
 *       ({@link dev.herald.core.cluster.SurveyResult}: answers by node, errors, missing nodes) and the
 *       {@link dev.herald.core.cluster.NodeRegistry} (heartbeats, the live nodes {@code info} lists).</li>
 *   <li>{@link dev.herald.core.cluster.ControlHandler}: what the node implements: apply another node's action,
 *       answer a survey.</li>
 * </ul>
 *
 * <p>Threading: nothing here blocks or may be blocked. Received messages are handled on the controller's threads
 * (one at a time per node), heartbeats and survey timeouts on the core {@link dev.herald.core.time.Scheduler}'s
 * thread; surveys complete asynchronously on whichever of those delivered the last answer or the timeout. Time is
 * read from an injected clock and waited for through the scheduler only, so tests drive both.
 */
package dev.herald.core.cluster;
