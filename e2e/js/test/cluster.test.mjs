// Two Herald nodes over one real redis-server (issue 12, "Done when": centrifuge-js e2e across two nodes), with the
// real centrifuge-js SDK over `ws`: a client on each node exchange publications, presence lists both whichever node
// is asked (and join/leave cross between nodes), and a client that reconnects to the other node recovers exactly the
// publications it missed. Redis and both nodes start once for the file; both configs share one token secret and API
// key (node 1's, from its genconfig), so any token and the API key work on either node.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { Centrifuge } from 'centrifuge';
import { Recorder, signJwt, startHerald, startRedis, until, within } from '../harness.mjs';

const PREFIX = 'herald-e2e';

let redis;
let node1;
let node2;
const clients = [];

/** The config both nodes share but for the node's name and the secrets: the Redis engine and the namespaces. */
function clusterConfig(cfg, nodeName) {
  cfg.node = { ...cfg.node, name: nodeName };
  cfg.engine = { type: 'redis', redis: { address: redis.address, prefix: PREFIX, presence_ttl: '30s' } };
  cfg.http_stream = { enabled: true };
  cfg.channel = {
    namespaces: [
      { name: 'chat', allow_subscribe_for_client: true, allow_publish_for_client: true },
      {
        name: 'room', presence: true, join_leave: true, force_push_join_leave: true,
        allow_subscribe_for_client: true, allow_presence_for_subscriber: true,
      },
      { name: 'feed', history_size: 100, history_ttl: '300s', force_recovery: true, allow_subscribe_for_client: true },
      // A stream too short to hold what a client misses: recovery fails and the client is told.
      { name: 'short', history_size: 2, history_ttl: '300s', force_recovery: true, allow_subscribe_for_client: true },
    ],
  };
}

before(async () => {
  redis = await startRedis({ name: 'cluster-redis' });
  node1 = await startHerald({ name: 'cluster-node1', configure: (cfg) => clusterConfig(cfg, 'node1') });
  node2 = await startHerald({
    name: 'cluster-node2',
    configure(cfg) {
      clusterConfig(cfg, 'node2');
      cfg.client.token.hmac_secret_key = node1.secret;
      cfg.http_api.key = node1.apiKey;
    },
  });
  assert.equal(node2.secret, node1.secret);
  assert.equal(node2.apiKey, node1.apiKey);
  // Both nodes heartbeat over Redis; until each lists the other, a cluster-wide call could miss one.
  for (const node of [node1, node2]) {
    await until(`${node.base}: info lists both nodes`, async () => {
      const result = await apiOk(node, 'info', {});
      return result.nodes?.length === 2
        && result.nodes.map((n) => n.name).sort().join(',') === 'node1,node2';
    }, { ms: 15_000, everyMs: 100 });
  }
});

after(async () => {
  for (const c of clients) {
    c.disconnect();
  }
  // Nodes before Redis, so that no node spends its shutdown on a Redis that is gone.
  await Promise.all([node1?.stop(), node2?.stop()]);
  await redis?.stop();
});

const now = () => Math.floor(Date.now() / 1000);

async function apiOk(node, method, params) {
  const r = await node.api(method, params);
  assert.equal(r.status, 200, `${node.base} ${method} ${JSON.stringify(params)}: HTTP ${r.status} ${r.text}`);
  assert.equal(r.body.error, undefined, `${node.base} ${method} ${JSON.stringify(params)}: ${r.text}`);
  return r.body.result;
}

/**
 * A centrifuge-js client of `user` connected to `node`, its events recorded. The token is signed here with the
 * shared secret (a JVM start per token would cost more than the test) unless one is given.
 */
async function connect(node, user, { token } = {}) {
  const client = new Centrifuge(node.ws, {
    websocket: WebSocket,
    token: token ?? signJwt({ sub: String(user), exp: now() + 3600 }, node1.secret),
    name: 'cluster-e2e',
    minReconnectDelay: 100,
    maxReconnectDelay: 1000,
  });
  clients.push(client);
  const events = new Recorder(client, ['connecting', 'connected', 'disconnected', 'error']);
  client.connect();
  const ctx = await events.wait('connected');
  return { client, events, id: ctx.client };
}

const SUB_EVENTS = ['subscribing', 'subscribed', 'unsubscribed', 'publication', 'join', 'leave', 'error'];

/** A subscription with its events recorded, subscribed; resolves once the server has answered. */
async function subscribed(client, channel, options) {
  const sub = client.newSubscription(channel, { minResubscribeDelay: 50, maxResubscribeDelay: 500, ...options });
  const events = new Recorder(sub, SUB_EVENTS);
  sub.subscribe();
  const ctx = await events.wait('subscribed');
  return { sub, events, ctx };
}

/** The first recorded `name` event for which `pred` holds, waiting for more as they come (bounded). */
function eventMatching(recorder, name, pred, ms = 10_000) {
  return within(ms, `a "${name}" event that matches`, (async () => {
    for (let n = 1; ; n++) {
      const e = await recorder.wait(name, { count: n, ms });
      if (pred(e)) {
        return e;
      }
    }
  })());
}

/** A presence map reduced to {clientId: user}, for comparisons. */
const users = (clients) => Object.fromEntries(Object.entries(clients).map(([id, info]) => [id, info.user]));

describe('two nodes over one Redis', () => {
  test('a client on node 1 and a client on node 2 exchange publications (sub.publish) in order', async () => {
    // A token from node 2's ./herald gentoken opens a connection on node 1: the secret is the same.
    const { token } = await node2.gentoken('alice');
    const a = await connect(node1, 'alice', { token });
    const b = await connect(node2, 'bob');
    // Each `subscribed` comes after the node's Redis subscription to the channel: a publication from then on
    // reaches both nodes.
    const subA = await subscribed(a.client, 'chat:cross');
    const subB = await subscribed(b.client, 'chat:cross');

    await within(5_000, 'alice publish', subA.sub.publish({ from: 'alice', n: 1 }));
    const atB = await subB.events.wait('publication');
    assert.equal(atB.channel, 'chat:cross');
    assert.deepEqual(atB.data, { from: 'alice', n: 1 });
    assert.equal(atB.info?.user, 'alice', `publisher info carried across nodes: ${JSON.stringify(atB)}`);
    assert.equal(atB.info?.client, a.id);

    await within(5_000, 'bob publish', subB.sub.publish({ from: 'bob', n: 2 }));
    const atA = await subA.events.wait('publication', { count: 2 });
    assert.deepEqual(atA.data, { from: 'bob', n: 2 });
    assert.equal(atA.info?.user, 'bob');
    assert.equal(atA.info?.client, b.id);

    // One channel delivers in order on every node: B's publication came after A's everywhere. Once each has the
    // second, nothing else is due, so the lists are whole.
    await subB.events.wait('publication', { count: 2 });
    const expected = [{ from: 'alice', n: 1 }, { from: 'bob', n: 2 }];
    assert.deepEqual(subA.events.all('publication').map((p) => p.data), expected, 'node 1 subscriber');
    assert.deepEqual(subB.events.all('publication').map((p) => p.data), expected, 'node 2 subscriber');
    assert.deepEqual([...a.events.all('disconnected'), ...b.events.all('disconnected')], []);
  });

  test('a client held by node 2 over http_stream sends its commands through node 1 (/emulation forwarded)', async () => {
    // centrifuge-js opens the stream on node 2 and posts every command to the emulation endpoint given: node 1's.
    // Node 1 does not hold the session, so it hands each request to node 2 over the cluster's control channel.
    const client = new Centrifuge([{ transport: 'http_stream', endpoint: `${node2.base}/connection/http_stream` }], {
      token: signJwt({ sub: 'frank', exp: now() + 3600 }, node1.secret),
      name: 'cluster-emulation',
      emulationEndpoint: `${node1.base}/emulation`,
      minReconnectDelay: 100,
      maxReconnectDelay: 1000,
    });
    clients.push(client);
    const events = new Recorder(client, ['connecting', 'connected', 'disconnected', 'error']);
    client.connect();
    const ctx = await events.wait('connected');
    assert.equal(ctx.transport, 'http_stream');

    const listener = await connect(node1, 'grace');
    const heard = await subscribed(listener.client, 'chat:emulation');
    const own = await subscribed(client, 'chat:emulation');
    await within(5_000, 'publish sent through node 1', own.sub.publish({ via: 'emulation' }));
    const pub = await heard.events.wait('publication');
    assert.deepEqual(pub.data, { via: 'emulation' });
    assert.equal(pub.info?.client, ctx.client, 'published by the http_stream session');

    const listed = await apiOk(node1, 'connections', { user: 'frank' });
    assert.deepEqual(Object.keys(listed.connections), [ctx.client]);
    assert.equal(listed.connections[ctx.client].transport, 'http_stream');
    assert.deepEqual(listed.connections[ctx.client].state?.channels, ['chat:emulation'],
      `the subscribe reached the session on node 2: ${JSON.stringify(listed)}`);
    assert.deepEqual(events.all('disconnected'), []);
  });

  test('presence lists both clients whichever node is asked (sub.presence, HTTP API); join/leave cross', async () => {
    const a = await connect(node1, 'carol');
    const b = await connect(node2, 'dave');
    const subA = await subscribed(a.client, 'room:cross');
    const subB = await subscribed(b.client, 'room:cross');
    // A subscriber gets its own join too; the one that matters here crossed from node 2.
    const join = await eventMatching(subA.events, 'join', (j) => j.info.user === 'dave');
    assert.equal(join.info.client, b.id);

    const expected = { [a.id]: 'carol', [b.id]: 'dave' };
    for (const [where, s] of [['node 2', subB], ['node 1', subA]]) {
      const presence = await within(5_000, `presence() on ${where}`, s.sub.presence());
      assert.deepEqual(users(presence.clients), expected, `presence asked on ${where}`);
      for (const [id, info] of Object.entries(presence.clients)) {
        assert.equal(info.client, id);
      }
      const stats = await within(5_000, `presenceStats() on ${where}`, s.sub.presenceStats());
      assert.deepEqual(stats, { numClients: 2, numUsers: 2 }, `presence stats asked on ${where}`);
    }
    for (const node of [node1, node2]) {
      const result = await apiOk(node, 'presence', { channel: 'room:cross' });
      assert.deepEqual(users(result.presence), expected, `API presence on ${node.base}`);
      assert.deepEqual(await apiOk(node, 'presence_stats', { channel: 'room:cross' }),
        { num_clients: 2, num_users: 2 }, `API presence_stats on ${node.base}`);
    }

    // A client that leaves on node 2: node 1's subscriber gets the leave, and it is gone from the presence node 1
    // reads. The removal is not ordered with the leave event, so this waits for it, bounded.
    subB.sub.unsubscribe();
    const leave = await eventMatching(subA.events, 'leave', (l) => l.info.user === 'dave');
    assert.equal(leave.info.client, b.id);
    await until('node 1 presence without dave', async () => {
      const result = await apiOk(node1, 'presence', { channel: 'room:cross' });
      return JSON.stringify(users(result.presence)) === JSON.stringify({ [a.id]: 'carol' });
    }, { ms: 5_000 });
  });

  test('a client that reconnects to the other node recovers exactly the missed publications, in order', async () => {
    const channel = 'feed:cross';
    const first = await connect(node1, 'erin');
    const s1 = await subscribed(first.client, channel);
    assert.equal(s1.ctx.recoverable, true, `subscribed: ${JSON.stringify(s1.ctx)}`);
    assert.equal(s1.ctx.wasRecovering, false);
    const epoch = s1.ctx.streamPosition?.epoch;
    assert.ok(typeof epoch === 'string' && epoch.length > 0, `subscribed: ${JSON.stringify(s1.ctx)}`);

    const r0 = await apiOk(node1, 'publish', { channel, data: { n: 0 } });
    assert.equal(r0.epoch, epoch);
    const p0 = await s1.events.wait('publication');
    assert.deepEqual(p0.data, { n: 0 });
    assert.equal(p0.offset, r0.offset);

    first.client.disconnect();
    await first.events.wait('disconnected');

    // Missed publications, through both nodes: the offsets are the stream's, gap-free whichever node appends.
    const missed = [];
    for (const [n, node] of [[1, node2], [2, node1], [3, node2]]) {
      const r = await apiOk(node, 'publish', { channel, data: { n } });
      assert.equal(r.epoch, epoch, `publish ${n} on ${node.base}: ${JSON.stringify(r)}`);
      missed.push(r.offset);
    }
    assert.deepEqual(missed, [1, 2, 3].map((k) => r0.offset + k), 'offsets grow by one per publication');

    // The same user comes back on node 2 with the position it had (centrifuge-js `since`).
    const second = await connect(node2, 'erin');
    const s2 = await subscribed(second.client, channel, { since: { offset: p0.offset, epoch } });
    assert.equal(s2.ctx.wasRecovering, true, `subscribed on node 2: ${JSON.stringify(s2.ctx)}`);
    assert.equal(s2.ctx.recovered, true, `subscribed on node 2: ${JSON.stringify(s2.ctx)}`);
    assert.equal(s2.ctx.streamPosition?.epoch, epoch);
    assert.equal(s2.ctx.streamPosition?.offset, missed[2]);

    // A live publication after the recovery comes after the recovered ones: once it is here, nothing else is due.
    const r4 = await apiOk(node1, 'publish', { channel, data: { n: 4 } });
    await s2.events.wait('publication', { count: 4 });
    const got = s2.events.all('publication');
    assert.deepEqual(got.map((p) => p.data), [1, 2, 3, 4].map((n) => ({ n })),
      'the missed publications exactly once, in order, then the live one');
    assert.deepEqual(got.map((p) => p.offset), [...missed, r4.offset]);
    assert.deepEqual(s2.events.all('error'), []);
    assert.equal(s2.events.all('subscribed').length, 1);
  });

  test('a position the stream no longer holds, asked of the other node, is answered recovered: false', async () => {
    const channel = 'short:cross';
    const first = await connect(node2, 'frank');
    const s1 = await subscribed(first.client, channel);
    const epoch = s1.ctx.streamPosition?.epoch;
    const r0 = await apiOk(node2, 'publish', { channel, data: { n: 0 } });
    assert.equal((await s1.events.wait('publication')).offset, r0.offset);
    first.client.disconnect();
    await first.events.wait('disconnected');

    // Three missed, the stream keeps two: the one right after the client's position is gone.
    let last;
    for (const [n, node] of [[1, node1], [2, node2], [3, node1]]) {
      last = await apiOk(node, 'publish', { channel, data: { n } });
    }
    const h = await apiOk(node1, 'history', { channel, limit: -1 });
    assert.deepEqual(h.publications.map((p) => p.data), [{ n: 2 }, { n: 3 }], 'the stream holds the last two');

    const second = await connect(node1, 'frank');
    const s2 = await subscribed(second.client, channel, { since: { offset: r0.offset, epoch } });
    assert.equal(s2.ctx.wasRecovering, true, `subscribed on node 1: ${JSON.stringify(s2.ctx)}`);
    assert.equal(s2.ctx.recovered, false, `subscribed on node 1: ${JSON.stringify(s2.ctx)}`);
    assert.equal(s2.ctx.streamPosition?.offset, last.offset, 'the client learns the stream top');
    assert.equal(s2.ctx.streamPosition?.epoch, epoch);

    // Still subscribed: a live publication arrives after whatever the reply carried, and nothing the client had
    // already seen comes again.
    const r4 = await apiOk(node2, 'publish', { channel, data: { n: 4 } });
    await eventMatching(s2.events, 'publication', (p) => p.offset === r4.offset);
    const offsets = s2.events.all('publication').map((p) => p.offset);
    assert.ok(offsets.every((o, i) => o > r0.offset && (i === 0 || o > offsets[i - 1])), `offsets ${offsets}`);
    assert.deepEqual(s2.events.all('error'), []);
  });
});
