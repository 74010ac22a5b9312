// centrifuge-js (the real npm SDK, over `ws`) against a Herald started with `./herald -c config.json`, tokens
// from `./herald gentoken`, publications through cent.js (new-style API) and curl (legacy /api form).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { Centrifuge } from 'centrifuge';
import { CentClient } from 'cent.js';
import { RawClient, Recorder, at, claims, curl, startHerald, within } from '../harness.mjs';

const CLOSE_DELAY_MS = 1000;

let server;
let cent;
const clients = [];

before(async () => {
  server = await startHerald({
    name: 'centrifuge-js',
    configure(cfg) {
      cfg.client.expired_close_delay = '1s';
      cfg.channel = { namespaces: [{ name: 'chat', allow_subscribe_for_client: true }] };
    },
  });
  cent = new CentClient({ url: `${server.base}/api`, apiKey: server.apiKey });
});

after(async () => {
  for (const c of clients) {
    c.disconnect();
  }
  await server?.stop();
});

/** A centrifuge-js client with every client-level event recorded. */
function newClient(options) {
  const client = new Centrifuge(server.ws, {
    websocket: WebSocket,
    name: 'e2e',
    minReconnectDelay: 100,
    maxReconnectDelay: 1000,
    ...options,
  });
  clients.push(client);
  const events = new Recorder(client, ['connecting', 'connected', 'disconnected', 'error']);
  return { client, events };
}

async function subscribe(client, channel) {
  const sub = client.newSubscription(channel);
  const events = new Recorder(sub, ['subscribing', 'subscribed', 'unsubscribed', 'publication', 'error']);
  sub.subscribe();
  await events.wait('subscribed');
  return { sub, events };
}

/**
 * A cent.js call, bounded. cent.js parses every answer as JSON, so an endpoint that is not there surfaces as a bare
 * SyntaxError; then the same request is repeated by hand to report what the server actually answered.
 */
async function viaCent(method, params) {
  try {
    return await within(10_000, `cent.js ${method}`, cent[method](params));
  } catch (e) {
    if (e instanceof SyntaxError) {
      await server.api(method, params); // throws with the HTTP status and body
    }
    throw e;
  }
}

/** The legacy API form exactly as the seeds use it: a real curl process, `Authorization: apikey KEY`. */
async function legacyApi(method, params) {
  const r = await curl(['-X', 'POST', '-H', `Authorization: apikey ${server.apiKey}`,
    '--data', JSON.stringify({ method, params }), '-w', '\n%{http_code}', `${server.base}/api`]);
  assert.equal(r.code, 0, `curl failed: ${r.stderr}`);
  const cut = r.stdout.lastIndexOf('\n');
  const status = Number(r.stdout.slice(cut + 1));
  const text = r.stdout.slice(0, cut);
  assert.equal(status, 200, `POST /api {"method":"${method}"}: HTTP ${status} ${text}`);
  return JSON.parse(text);
}

describe('centrifuge-js with a token from ./herald gentoken', () => {
  test('gentoken prints the seed lines; the client connects, subscribes and receives publications from cent.js and curl', async () => {
    const { line, token } = await server.gentoken(42);
    assert.equal(line, 'HMAC SHA-256 JWT for user 42 with expiration TTL 168h0m0s:');
    assert.equal(claims(token).sub, '42');

    const { client, events } = newClient({ token });
    client.connect();
    const connected = await events.wait('connected');
    assert.equal(connected.transport, 'websocket');
    assert.match(connected.client, /^[0-9a-f-]{36}$/);

    const { events: subEvents } = await subscribe(client, 'chat:index');

    // 1. cent.js: POST /api/publish with X-API-Key.
    const result = await viaCent('publish', { channel: 'chat:index', data: { via: 'cent.js', n: 1 } });
    assert.deepEqual(result, {});
    const first = await subEvents.wait('publication', { count: 1 });
    assert.equal(first.channel, 'chat:index');
    assert.deepEqual(first.data, { via: 'cent.js', n: 1 });

    // 2. curl, legacy form: POST /api {"method":"publish","params":{...}} with Authorization: apikey KEY.
    assert.deepEqual(await legacyApi('publish', { channel: 'chat:index', data: { via: 'curl', n: 2 } }), { result: {} });
    const second = await subEvents.wait('publication', { count: 2 });
    assert.deepEqual(second.data, { via: 'curl', n: 2 });

    assert.equal(events.all('disconnected').length, 0);
    assert.equal(subEvents.all('publication').length, 2, 'each publication arrives exactly once');
  });

  test('the API refuses a wrong key with 401, for both forms', async () => {
    const res = await fetch(`${server.base}/api/publish`, {
      method: 'POST',
      headers: { 'X-API-Key': 'wrong' },
      body: JSON.stringify({ channel: 'chat:index', data: {} }),
    });
    assert.equal(res.status, 401);
    const r = await curl(['-o', '/dev/null', '-w', '%{http_code}', '-X', 'POST', '-H', 'Authorization: apikey wrong',
      '--data', '{"method":"publish","params":{"channel":"chat:index","data":{}}}', `${server.base}/api`]);
    assert.equal(r.stdout, '401');
  });
});

describe('connection token expiry', () => {
  test('without a refresh the server closes with 3005 after exp + client.expired_close_delay', async () => {
    const { line, token } = await server.gentoken(42, 3);
    assert.equal(line, 'HMAC SHA-256 JWT for user 42 with expiration TTL 3s:');
    const expMs = claims(token).exp * 1000;

    const raw = await RawClient.open(WebSocket, server.ws);
    raw.send(JSON.stringify({ id: 1, connect: { token, name: 'raw' } }));
    const reply = JSON.parse(await raw.next());
    assert.equal(reply.id, 1);
    assert.equal(reply.connect?.expires, true, `connect reply: ${JSON.stringify(reply)}`);
    assert.ok(reply.connect.ttl >= 0 && reply.connect.ttl <= 3, `ttl ${reply.connect.ttl}`);

    const bound = expMs + CLOSE_DELAY_MS + 4000 - Date.now();
    const close = await raw.awaitClose(bound);
    const closedAt = Date.now();
    assert.equal(close.code, 3005);
    assert.equal(close.reason, 'connection expired');
    assert.ok(closedAt >= expMs, `closed ${expMs - closedAt} ms before the token expired`);
  });

  test('centrifuge-js refreshes a short-lived token through getToken and stays connected past its expiry', async () => {
    // The refresh token first, so that getToken answers at once; then the short one, used right away.
    const fresh = await server.gentoken(42, 600);
    const short = await server.gentoken(42, 5);
    const expMs = claims(short.token).exp * 1000;
    const calls = [];
    const { client, events } = newClient({
      token: short.token,
      getToken: async () => {
        calls.push(Date.now());
        return fresh.token;
      },
    });
    client.connect();
    const connectedAt = (await events.wait('connected'), Date.now());
    const { events: subEvents } = await subscribe(client, 'chat:refresh');

    // Past the first token's expiry plus the server's close delay, with a margin: the passage of time is what is
    // tested here, so this waits for a moment on the clock rather than for an event.
    await at(expMs + CLOSE_DELAY_MS + 1500);

    assert.ok(calls.length >= 1, 'getToken was called');
    assert.ok(calls[0] >= connectedAt, 'getToken was called for a refresh of the live connection, not for a reconnect');
    const seen = JSON.stringify(events.seen.map((e) => ({ [e.name]: e.ctx.code, at: e.at - expMs })));
    assert.deepEqual(events.all('disconnected'), [], `no disconnect (events, ms from exp: ${seen})`);
    assert.equal(events.all('connecting').length, 1, `no reconnect after the first connect (events, ms from exp: ${seen})`);
    assert.equal(client.state, 'connected');

    await viaCent('publish', { channel: 'chat:refresh', data: { after: 'expiry' } });
    const pub = await subEvents.wait('publication');
    assert.deepEqual(pub.data, { after: 'expiry' });
  });
});

describe('server API disconnect', () => {
  test('a terminal custom code (4501) reaches the disconnected event with its reason; no reconnect', async () => {
    const { token } = await server.gentoken(1001);
    const { client, events } = newClient({ token });
    client.connect();
    await events.wait('connected');

    const result = await viaCent('disconnect', { user: '1001', disconnect: { code: 4501, reason: 'banned by e2e' } });
    assert.deepEqual(result, {});
    const ctx = await events.wait('disconnected');
    assert.equal(ctx.code, 4501);
    assert.equal(ctx.reason, 'banned by e2e');
    assert.equal(client.state, 'disconnected');
    assert.equal(events.all('connecting').length, 1, 'a 45xx code is terminal: no reconnect');
  });

  test('a reconnect code (4001) sent through the legacy form makes the client reconnect', async () => {
    const { token } = await server.gentoken(1002);
    const { client, events } = newClient({ token });
    client.connect();
    await events.wait('connected');

    assert.deepEqual(await legacyApi('disconnect', { user: '1002', disconnect: { code: 4001, reason: 'come back' } }),
      { result: {} });
    const connecting = await events.wait('connecting', { count: 2 });
    assert.equal(connecting.code, 4001);
    assert.equal(connecting.reason, 'come back');
    await events.wait('connected', { count: 2 });
    assert.deepEqual(events.all('disconnected'), []);
    assert.equal(client.state, 'connected');
  });

  test('the default disconnect is 3503 force disconnect', async () => {
    const { token } = await server.gentoken(1003);
    const { client, events } = newClient({ token });
    client.connect();
    await events.wait('connected');
    await viaCent('disconnect', { user: '1003' });
    const ctx = await events.wait('disconnected');
    assert.equal(ctx.code, 3503);
    assert.equal(ctx.reason, 'force disconnect');
  });
});
