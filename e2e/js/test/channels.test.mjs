// Channels in depth (issue 3, "Done when"), with the real centrifuge-js SDK over `ws` against a Herald started by
// the harness: presence and join/leave, recovery of exactly the publications missed while disconnected, an expired
// subscription token refused with 109 and replaced through getToken, and user-limited channels.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { Centrifuge } from 'centrifuge';
import { RawClient, Recorder, signJwt, startHerald, within } from '../harness.mjs';

let server;
const clients = [];

before(async () => {
  server = await startHerald({
    name: 'channels',
    configure(cfg) {
      cfg.channel = {
        namespaces: [
          // Presence, and join/leave pushed to every subscriber whether or not it asked.
          {
            name: 'room', presence: true, join_leave: true, force_push_join_leave: true,
            allow_subscribe_for_client: true, allow_presence_for_subscriber: true,
          },
          // Join/leave only for subscribers that ask (centrifuge-js `joinLeave: true`).
          {
            name: 'lobby', presence: true, join_leave: true,
            allow_subscribe_for_client: true, allow_presence_for_subscriber: true,
          },
          { name: 'feed', history_size: 100, history_ttl: '300s', force_recovery: true, allow_subscribe_for_client: true },
          // No permission but a subscription token.
          { name: 'secret' },
          { name: 'dialog', allow_user_limited_channels: true },
        ],
        without_namespace: { allow_user_limited_channels: true },
      };
    },
  });
});

after(async () => {
  for (const c of clients) {
    c.disconnect();
  }
  await server?.stop();
});

const now = () => Math.floor(Date.now() / 1000);

/**
 * A connected centrifuge-js client for `user`, with its events recorded. The token has the claims `./herald gentoken`
 * gives (sub, exp), signed here: a JVM start per client would cost more than the test itself.
 */
async function connect(user, options = {}) {
  const token = signJwt({ sub: String(user), exp: now() + 3600 }, server.secret);
  const client = new Centrifuge(server.ws, {
    websocket: WebSocket,
    token,
    name: 'channels-e2e',
    minReconnectDelay: 100,
    maxReconnectDelay: 1000,
    ...options,
  });
  clients.push(client);
  const events = new Recorder(client, ['connecting', 'connected', 'disconnected', 'error']);
  client.connect();
  const ctx = await events.wait('connected');
  return { client, events, id: ctx.client };
}

const SUB_EVENTS = ['subscribing', 'subscribed', 'unsubscribed', 'publication', 'join', 'leave', 'error'];

/** A subscription with its events recorded; `subscribe()` is called, waiting is up to the caller. */
function newSub(client, channel, options) {
  const sub = client.newSubscription(channel, { minResubscribeDelay: 50, maxResubscribeDelay: 500, ...options });
  const events = new Recorder(sub, SUB_EVENTS);
  sub.subscribe();
  return { sub, events };
}

async function subscribed(client, channel, options) {
  const s = newSub(client, channel, options);
  await s.events.wait('subscribed');
  return s;
}

async function apiOk(method, params) {
  const r = await server.api(method, params);
  assert.equal(r.status, 200, `${method} ${JSON.stringify(params)}: HTTP ${r.status} ${r.text}`);
  assert.equal(r.body.error, undefined, `${method} ${JSON.stringify(params)}: ${r.text}`);
  return r.body.result;
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

describe('presence and join/leave', () => {
  test('two clients see each other in presence and get join and leave events (force_push_join_leave)', async () => {
    const a = await connect('101');
    const b = await connect('102');
    const subA = await subscribed(a.client, 'room:1');

    const subB = await subscribed(b.client, 'room:1');
    // A subscriber also gets its own join (it is in the channel when the join is published); wait for B's.
    const join = await eventMatching(subA.events, 'join', (j) => j.info.user !== '101');
    assert.equal(join.channel, 'room:1');
    assert.equal(join.info.user, '102');
    assert.equal(join.info.client, b.id);

    const expected = { [a.id]: '101', [b.id]: '102' };
    for (const s of [subA, subB]) {
      const presence = await within(5_000, 'presence()', s.sub.presence());
      assert.deepEqual(users(presence.clients), expected);
      for (const [id, info] of Object.entries(presence.clients)) {
        assert.equal(info.client, id);
      }
      const stats = await within(5_000, 'presenceStats()', s.sub.presenceStats());
      assert.deepEqual(stats, { numClients: 2, numUsers: 2 });
    }
    // The API sees the same presence.
    const apiPresence = await apiOk('presence', { channel: 'room:1' });
    assert.deepEqual(users(apiPresence.presence), expected);
    assert.deepEqual(await apiOk('presence_stats', { channel: 'room:1' }), { num_clients: 2, num_users: 2 });

    subB.sub.unsubscribe();
    const leave = await subA.events.wait('leave');
    assert.equal(leave.channel, 'room:1');
    assert.equal(leave.info.user, '102');
    assert.equal(leave.info.client, b.id);
    const after = await within(5_000, 'presence()', subA.sub.presence());
    assert.deepEqual(users(after.clients), { [a.id]: '101' });
    assert.deepEqual(await within(5_000, 'presenceStats()', subA.sub.presenceStats()), { numClients: 1, numUsers: 1 });

    // A disconnect is a leave too.
    const c = await connect('103');
    await subscribed(c.client, 'room:1');
    const join2 = await eventMatching(subA.events, 'join', (j) => j.info.user === '103');
    assert.equal(join2.info.client, c.id);
    c.client.disconnect();
    const leave2 = await eventMatching(subA.events, 'leave', (l) => l.info.user === '103');
    assert.equal(leave2.info.client, c.id);
    assert.deepEqual(subA.events.all('leave').map((l) => l.info.user), ['102', '103'], 'one leave per departure');
  });

  test('without force_push_join_leave only the subscriber that asked (joinLeave: true) gets join/leave', async () => {
    const asks = await connect('111');
    const silent = await connect('112');
    const joiner = await connect('113');
    const subAsks = await subscribed(asks.client, 'lobby:1', { joinLeave: true });
    const subSilent = await subscribed(silent.client, 'lobby:1');

    const subJoiner = await subscribed(joiner.client, 'lobby:1');
    await eventMatching(subAsks.events, 'join', (j) => j.info.client === joiner.id);
    subJoiner.sub.unsubscribe();
    const leave = await eventMatching(subAsks.events, 'leave', (l) => l.info.client === joiner.id);
    assert.equal(leave.info.user, '113');

    // One channel delivers in order: a publication sent after the leave reaches `silent` after anything the
    // join/leave could have pushed to it, so once it has arrived, `silent` has had every chance to see them.
    await apiOk('publish', { channel: 'lobby:1', data: { marker: 'after-leave' } });
    const pub = await subSilent.events.wait('publication');
    assert.deepEqual(pub.data, { marker: 'after-leave' });
    assert.deepEqual(subSilent.events.all('join'), [], 'no join pushed to a subscriber that did not ask');
    assert.deepEqual(subSilent.events.all('leave'), [], 'no leave pushed to a subscriber that did not ask');

    const presence = await within(5_000, 'presence()', subSilent.sub.presence());
    assert.deepEqual(users(presence.clients), { [asks.id]: '111', [silent.id]: '112' });
  });
});

describe('history and recovery', () => {
  test('a client that disconnects and reconnects receives exactly the missed publications, in order, recovered', async () => {
    const channel = 'feed:recovery';
    const { client, events } = await connect('201');
    const { sub, events: subEvents } = newSub(client, channel);
    const first = await subEvents.wait('subscribed');
    assert.equal(first.recoverable, true, `subscribed: ${JSON.stringify(first)}`);
    assert.equal(first.positioned, true, `subscribed: ${JSON.stringify(first)}`);
    assert.equal(first.wasRecovering, false);

    const r0 = await apiOk('publish', { channel, data: { n: 0 } });
    assert.ok(r0.offset > 0 && typeof r0.epoch === 'string' && r0.epoch.length > 0, `publish result ${JSON.stringify(r0)}`);
    const p0 = await subEvents.wait('publication', { count: 1 });
    assert.deepEqual(p0.data, { n: 0 });
    assert.equal(p0.offset, r0.offset);

    client.disconnect();
    await events.wait('disconnected');
    assert.equal(sub.state, 'subscribing', 'a subscription waits to resubscribe while its client is disconnected');

    const missed = [];
    for (let n = 1; n <= 5; n++) {
      const r = await apiOk('publish', { channel, data: { n } });
      assert.equal(r.epoch, r0.epoch);
      missed.push(r.offset);
    }
    assert.deepEqual(missed, [1, 2, 3, 4, 5].map((k) => r0.offset + k), 'offsets grow by one per publication');

    client.connect();
    await events.wait('connected', { count: 2 });
    const second = await subEvents.wait('subscribed', { count: 2 });
    assert.equal(second.wasRecovering, true, `subscribed after reconnect: ${JSON.stringify(second)}`);
    assert.equal(second.recovered, true, `subscribed after reconnect: ${JSON.stringify(second)}`);
    assert.equal(second.streamPosition?.epoch, r0.epoch);

    // A publication after the recovery comes after the recovered ones; once it is here nothing else is due.
    const r6 = await apiOk('publish', { channel, data: { n: 6 } });
    await subEvents.wait('publication', { count: 7 });
    const got = subEvents.all('publication');
    assert.deepEqual(got.map((p) => p.data), [0, 1, 2, 3, 4, 5, 6].map((n) => ({ n })),
      'the missed publications exactly once, in order, then the live one');
    assert.deepEqual(got.map((p) => p.offset), [r0.offset, ...missed, r6.offset]);
    assert.equal(subEvents.all('subscribed').length, 2);
    assert.deepEqual(subEvents.all('error'), []);
  });

  test('history over the API holds the publications with offsets and the epoch', async () => {
    const channel = 'feed:history';
    const offsets = [];
    for (let n = 1; n <= 3; n++) {
      offsets.push((await apiOk('publish', { channel, data: { n } })).offset);
    }
    const h = await apiOk('history', { channel, limit: -1 });
    assert.deepEqual(h.publications.map((p) => [p.data, p.offset]), offsets.map((o, i) => [{ n: i + 1 }, o]));
    assert.equal(h.offset, offsets[2]);
    assert.ok(h.epoch.length > 0);
  });
});

describe('subscription tokens', () => {
  const secret = () => server.secret;

  test('a raw subscribe with a subscription token whose exp has passed gets error 109', async () => {
    const { token } = await server.gentoken('301'); // one real ./herald gentoken in this file
    const raw = await RawClient.open(WebSocket, server.ws);
    try {
      raw.send(JSON.stringify({ id: 1, connect: { token, name: 'raw' } }));
      const connected = JSON.parse(await raw.next());
      assert.ok(connected.connect?.client, `connect reply: ${JSON.stringify(connected)}`);
      const expired = signJwt({ sub: '301', channel: 'secret:raw', exp: now() - 60, iat: now() - 120 }, secret());
      raw.send(JSON.stringify({ id: 2, subscribe: { channel: 'secret:raw', token: expired } }));
      const reply = JSON.parse(await raw.next());
      assert.equal(reply.id, 2);
      assert.equal(reply.error?.code, 109, `subscribe reply: ${JSON.stringify(reply)}`);
      assert.equal(reply.error?.message, 'token expired');

      const fresh = await server.gensubtoken('301', 'secret:raw');
      raw.send(JSON.stringify({ id: 3, subscribe: { channel: 'secret:raw', token: fresh } }));
      const ok = JSON.parse(await raw.next());
      assert.equal(ok.id, 3);
      assert.equal(ok.error, undefined, `subscribe reply: ${JSON.stringify(ok)}`);
      assert.ok(ok.subscribe, `subscribe reply: ${JSON.stringify(ok)}`);
    } finally {
      raw.terminate();
    }
  });

  test('centrifuge-js: the expired token is refused with 109, getToken gives a fresh one and the subscription works', async () => {
    const channel = 'secret:sdk';
    const { client } = await connect('302');
    const expired = signJwt({ sub: '302', channel, exp: now() - 60, iat: now() - 120 }, secret());
    const fresh = await server.gensubtoken('302', channel);
    const calls = [];
    const { events: subEvents } = newSub(client, channel, {
      token: expired,
      getToken: async (ctx) => {
        calls.push(ctx.channel);
        return fresh;
      },
    });
    await subEvents.wait('subscribed');
    const errors = subEvents.all('error');
    assert.equal(errors.length, 1, `error events: ${JSON.stringify(errors)}`);
    assert.equal(errors[0].type, 'subscribe');
    assert.equal(errors[0].error.code, 109);
    assert.deepEqual(calls, [channel], 'getToken was called once, after the refusal');

    await apiOk('publish', { channel, data: { ok: true } });
    const pub = await subEvents.wait('publication');
    assert.deepEqual(pub.data, { ok: true });
  });

  test('a subscription token for another user closes the connection with 3500 (reference 3.2)', async () => {
    const channel = 'secret:other';
    const token = signJwt({ sub: '303', exp: now() + 3600 }, server.secret);
    const raw = await RawClient.open(WebSocket, server.ws);
    try {
      raw.send(JSON.stringify({ id: 1, connect: { token, name: 'raw' } }));
      JSON.parse(await raw.next());
      const foreign = await server.gensubtoken('999', channel);
      raw.send(JSON.stringify({ id: 2, subscribe: { channel, token: foreign } }));
      const outcome = await Promise.race([
        raw.next().then((f) => ({ frame: f })),
        raw.awaitClose().then((c) => ({ close: c })),
      ]);
      assert.equal(outcome.frame, undefined, `expected a close, got the frame ${outcome.frame}`);
      assert.equal(outcome.close.code, 3500, `close: ${JSON.stringify(outcome.close)}`);
    } finally {
      raw.terminate();
    }
  });
});

describe('user-limited channels', () => {
  for (const channel of ['dialog:#1,2', 'dialog#1,2']) {
    test(`${channel} admits users 1 and 2 and refuses user 3 with 103`, async () => {
      const one = await connect('1');
      const two = await connect('2');
      const three = await connect('3');
      const s1 = await subscribed(one.client, channel);
      const s2 = await subscribed(two.client, channel);

      const s3 = newSub(three.client, channel);
      const refused = await s3.events.wait('unsubscribed');
      assert.equal(refused.code, 103, `unsubscribed: ${JSON.stringify(refused)}`);
      assert.equal(refused.reason, 'permission denied');
      assert.equal(s3.sub.state, 'unsubscribed');

      await apiOk('publish', { channel, data: { to: 'both' } });
      assert.deepEqual((await s1.events.wait('publication')).data, { to: 'both' });
      assert.deepEqual((await s2.events.wait('publication')).data, { to: 'both' });
      assert.deepEqual(s3.events.all('publication'), []);
    });
  }

  test('the user list is exact: dialog:#1,2 is not dialog:#2,1, and user 12 is not user 1', async () => {
    const token = signJwt({ sub: '12', exp: now() + 3600 }, server.secret);
    const raw = await RawClient.open(WebSocket, server.ws);
    try {
      raw.send(JSON.stringify({ id: 1, connect: { token, name: 'raw' } }));
      JSON.parse(await raw.next());
      raw.send(JSON.stringify({ id: 2, subscribe: { channel: 'dialog:#1,2' } }));
      const reply = JSON.parse(await raw.next());
      assert.equal(reply.error?.code, 103, `reply: ${JSON.stringify(reply)}`);
      raw.send(JSON.stringify({ id: 3, subscribe: { channel: 'dialog:#2,12' } }));
      const ok = JSON.parse(await raw.next());
      assert.ok(ok.subscribe, `reply: ${JSON.stringify(ok)}`);
    } finally {
      raw.terminate();
    }
  });
});
