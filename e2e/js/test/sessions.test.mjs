// User sessions (issue 4, "Done when"), against a Herald started by the harness with every transport enabled and a
// connect proxy pointing at a real HTTP backend started here: meta from the token and from the proxy shows in
// `connections` / `user_connections` / rpc getUserConnections and in no byte any client receives; CEL filters;
// token and subscription-token info; the channels list; disconnect-then-gone; and each transport with a real
// client (centrifuge-js over websocket, http_stream and sse; curl over uni_sse and uni_http_stream; raw `ws` over
// uni_websocket).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import WebSocket from 'ws';
import { EventSource } from 'eventsource';
import { Centrifuge } from 'centrifuge';
import { RawClient, Recorder, curl, signJwt, startHerald, until, within } from '../harness.mjs';

let server;
let backend;
const clients = [];
const streams = [];
const proxyCalls = [];

// Strings that only meta holds: none may reach a client.
const TOKEN_META_MARK = 'token-meta-6d1f0c';
const PROXY_META_MARK = 'proxy-meta-93ab27';
const PROXY_USER = '77';

before(async () => {
  // The connect proxy backend: a real HTTP server answering every connect with user 77 and a private meta.
  backend = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = { unparsable: Buffer.concat(chunks).toString('utf8') };
      }
      proxyCalls.push({ method: req.method, url: req.url, contentType: req.headers['content-type'], body });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({
        result: {
          user: PROXY_USER,
          info: { via: 'proxy' },
          data: { welcome: true },
          meta: { plan: 'gold', secret: PROXY_META_MARK },
        },
      }));
    });
  });
  await new Promise((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const backendUrl = `http://127.0.0.1:${backend.address().port}/centrifugo/connect`;

  server = await startHerald({
    name: 'sessions',
    configure(cfg) {
      cfg.client.proxy = { connect: { enabled: true, endpoint: backendUrl, timeout: '3s' } };
      for (const t of ['http_stream', 'sse', 'uni_sse', 'uni_http_stream', 'uni_websocket']) {
        cfg[t] = { enabled: true };
      }
      cfg.channel = {
        namespaces: [
          {
            name: 'chat', presence: true, join_leave: true, force_push_join_leave: true, history_size: 10,
            history_ttl: '300s', allow_subscribe_for_client: true, allow_publish_for_subscriber: true,
            allow_presence_for_subscriber: true, allow_history_for_subscriber: true,
          },
          // Subscription token only.
          { name: 'priv', presence: true, join_leave: true, force_push_join_leave: true, allow_presence_for_subscriber: true },
        ],
      };
    },
  });
});

after(async () => {
  for (const c of clients) {
    c.disconnect();
  }
  for (const s of streams) {
    s.stop();
  }
  await server?.stop();
  await new Promise((resolve) => (backend ? backend.close(resolve) : resolve()));
});

const now = () => Math.floor(Date.now() / 1000);

/** A connection JWT with the given claims (sub, exp by default), signed with the config's HMAC key. */
const connToken = (claims) => signJwt({ exp: now() + 3600, ...claims }, server.secret);

// ---- capturing every byte clients receive ----------------------------------------------------------------------

/** Text received by clients, by transport; every test checks what its own clients got. */
class Received {
  constructor() {
    this.chunks = [];
  }

  push(text) {
    this.chunks.push(text);
  }

  get text() {
    return this.chunks.join('');
  }

  /** Fails if any meta-only string (or a `meta` key) reached the client; `mustSee` proves capture worked. */
  assertNoMeta(mustSee, what) {
    const text = this.text;
    for (const s of mustSee) {
      assert.ok(text.includes(s), `${what}: expected the captured client traffic to include ${s}; got ${text.slice(0, 2000)}`);
    }
    for (const mark of [TOKEN_META_MARK, PROXY_META_MARK, '"meta"']) {
      assert.ok(!text.includes(mark), `${what}: ${mark} reached a client:\n${text.slice(0, 4000)}`);
    }
  }
}

/** A `ws` WebSocket class that copies every frame it receives into `sink`. */
function capturingWebSocket(sink) {
  return class extends WebSocket {
    constructor(...args) {
      super(...args);
      this.on('message', (data) => sink.push(Buffer.from(data).toString('utf8')));
    }
  };
}

/** A fetch that tees every response body into `sink` (for http_stream, sse and /emulation). */
function capturingFetch(sink) {
  return async (url, init) => {
    const res = await fetch(url, init);
    if (!res.body || [101, 204, 205, 304].includes(res.status)) {
      return res;
    }
    const [mine, copy] = res.body.tee();
    (async () => {
      const reader = copy.getReader();
      const decoder = new TextDecoder();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) {
            break;
          }
          sink.push(decoder.decode(value, { stream: true }));
        }
      } catch {
        // the client closed the stream
      }
    })();
    return new Response(mine, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

/** An EventSource (package `eventsource`) whose underlying fetch copies the event stream into `sink`. */
function capturingEventSource(sink) {
  return class extends EventSource {
    constructor(url, init) {
      super(url, { ...init, fetch: capturingFetch(sink) });
    }
  };
}

// ---- clients -----------------------------------------------------------------------------------------------------

const CLIENT_EVENTS = ['connecting', 'connected', 'disconnected', 'error'];
const SUB_EVENTS = ['subscribing', 'subscribed', 'unsubscribed', 'publication', 'join', 'leave', 'error'];

/** A centrifuge-js client over WebSocket whose received frames go to `sink`; connected before it returns. */
async function wsClient(sink, options) {
  const client = new Centrifuge(server.ws, {
    websocket: capturingWebSocket(sink),
    minReconnectDelay: 100,
    maxReconnectDelay: 1000,
    ...options,
  });
  return start(client);
}

async function start(client) {
  clients.push(client);
  const events = new Recorder(client, CLIENT_EVENTS);
  client.connect();
  const ctx = await events.wait('connected');
  return { client, events, id: ctx.client, connected: ctx };
}

async function subscribe(client, channel, options) {
  const sub = client.newSubscription(channel, options);
  const events = new Recorder(sub, SUB_EVENTS);
  sub.subscribe();
  await events.wait('subscribed');
  return { sub, events };
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

/** A long-running curl (a uni stream): its output so far, a bounded wait for a condition on it, and stop(). */
function curlStream(args) {
  const child = spawn('curl', ['--silent', '--show-error', '--no-buffer', '--max-time', '120', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let exited = null;
  child.stdout.on('data', (d) => {
    out += d.toString('utf8');
  });
  child.stderr.on('data', (d) => {
    err += d.toString('utf8');
  });
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });
  const stream = {
    get out() {
      return out;
    },
    /** Resolves `check(out)` once truthy; fails early if curl exits. */
    waitFor(what, check, ms = 10_000) {
      return until(what, () => {
        const v = check(out);
        if (!v && exited) {
          throw new Error(`curl exited ${JSON.stringify(exited)}; stderr: ${err}; stdout: ${out}`);
        }
        return v;
      }, { ms, everyMs: 20 });
    },
    stop() {
      if (!exited) {
        child.kill('SIGKILL');
      }
    },
  };
  streams.push(stream);
  return stream;
}

/** Complete lines of a stream's output so far (a partial last line is left for later). */
const lines = (text) => text.split('\n').slice(0, -1);
/** JSON objects of an SSE stream's `data:` lines. */
const sseEvents = (text) => lines(text).filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)));
/** JSON objects of a newline-delimited stream (uni_http_stream). */
const ndjson = (text) => lines(text).filter((l) => l.trim().length > 0).map((l) => JSON.parse(l));

// ---- API -----------------------------------------------------------------------------------------------------------

async function apiOk(method, params) {
  const r = await server.api(method, params);
  assert.equal(r.status, 200, `${method} ${JSON.stringify(params)}: HTTP ${r.status} ${r.text}`);
  assert.equal(r.body.error, undefined, `${method} ${JSON.stringify(params)}: ${r.text}`);
  return r.body.result;
}

/** The legacy API form as the seeds use it: a real curl, `Authorization: apikey KEY`; the parsed body. */
async function legacyApi(method, params) {
  const r = await curl(['-X', 'POST', '-H', 'Content-Type: application/json', '-H', `Authorization: apikey ${server.apiKey}`,
    '--data', JSON.stringify({ method, params }), '-w', '\n%{http_code}', `${server.base}/api`]);
  assert.equal(r.code, 0, `curl failed: ${r.stderr}`);
  const cut = r.stdout.lastIndexOf('\n');
  assert.equal(r.stdout.slice(cut + 1), '200', `POST /api ${method}: ${r.stdout}`);
  return JSON.parse(r.stdout.slice(0, cut));
}

const connections = async (params) => (await apiOk('connections', params)).connections;
const ids = async (params) => Object.keys(await connections(params)).sort();

// ---- tests ---------------------------------------------------------------------------------------------------------

describe('meta from the connection token', () => {
  test('shows in connections, user_connections and rpc getUserConnections with token info and channels, and in no client frame', async () => {
    const iat = now() - 5;
    const meta = { device: 'ios', secret: TOKEN_META_MARK, nested: { tags: ['a', 'b'], n: 3 } };
    const token = connToken({ sub: '501', iat, jti: 'conn-jti-501', info: { name: 'Alice' }, meta });
    const subIat = now() - 3;
    const subToken = signJwt({ sub: '501', channel: 'priv:meta', exp: now() + 3600, iat: subIat, jti: 'sub-jti-501', info: { role: 'member' } }, server.secret);

    // An observer in both channels first, so that it receives 501's joins, publications and presence.
    const seenByObserver = new Received();
    const observer = await wsClient(seenByObserver, { token: connToken({ sub: '500' }), name: 'observer' });
    const obsChat = await subscribe(observer.client, 'chat:meta');
    const obsPriv = await subscribe(observer.client, 'priv:meta', {
      token: signJwt({ sub: '500', channel: 'priv:meta', exp: now() + 3600 }, server.secret),
    });

    const seen = new Received();
    const c = await wsClient(seen, { token, name: 'sessions-e2e', version: '1.2.3' });
    const chat = await subscribe(c.client, 'chat:meta');
    const priv = await subscribe(c.client, 'priv:meta', { token: subToken });
    // The observer's own joins come first; wait for 501's.
    await eventMatching(obsChat.events, 'join', (j) => j.info.client === c.id);
    const privJoin = await eventMatching(obsPriv.events, 'join', (j) => j.info.client === c.id);
    assert.equal(privJoin.info.user, '501');
    assert.deepEqual(privJoin.info.connInfo, { name: 'Alice' });
    assert.deepEqual(privJoin.info.chanInfo, { role: 'member' });

    // Everything that carries ClientInfo to clients: a client publication, presence, history.
    await within(5_000, 'publish', chat.sub.publish({ text: 'hello' }));
    const pub = await obsChat.events.wait('publication');
    assert.deepEqual(pub.info?.connInfo, { name: 'Alice' });
    await chat.events.wait('publication');
    for (const s of [chat, priv, obsChat, obsPriv]) {
      const presence = await within(5_000, 'presence()', s.sub.presence());
      assert.deepEqual(presence.clients[c.id]?.connInfo, { name: 'Alice' });
    }
    const history = await within(5_000, 'history()', chat.sub.history({ limit: 10 }));
    assert.equal(history.publications.length, 1);

    // connections (seed 000 shape): identity, then state with channels, token info and meta.
    const expectedState = {
      channels: ['chat:meta', 'priv:meta'],
      connection_token: { uid: 'conn-jti-501', issued_at: iat },
      subscription_tokens: { 'priv:meta': { uid: 'sub-jti-501', issued_at: subIat } },
      meta,
    };
    const identity = { app_name: 'sessions-e2e', app_version: '1.2.3', transport: 'websocket', protocol: 'json' };
    assert.deepEqual(await connections({ user: '501' }), { [c.id]: { ...identity, state: expectedState } });

    // user_connections (seed 001 shape): flat.
    const flat = { ...identity, token_uid: 'conn-jti-501', token_issued_at: iat, meta };
    assert.deepEqual(await apiOk('user_connections', { user: '501' }), { connections: { [c.id]: flat } });

    // rpc getUserConnections (seed 002 shape), through the legacy form with curl as in the seed.
    assert.deepEqual(await legacyApi('rpc', { method: 'getUserConnections', params: { user: '501' } }),
      { result: { data: { [c.id]: flat } } });
    // ...and through the new form.
    assert.deepEqual(await apiOk('rpc', { method: 'getUserConnections', params: { user: '501' } }),
      { data: { [c.id]: flat } });

    // info reached clients (it is public); meta reached none.
    seen.assertNoMeta([c.id, '"Alice"', '"hello"'], 'the connection with meta');
    seenByObserver.assertNoMeta([c.id, '"Alice"', '"hello"'], 'an observer of the connection with meta');
  });

  test('a subscription made without a token has no subscription_tokens entry; one without jti/iat neither', async () => {
    const c = await wsClient(new Received(), { token: connToken({ sub: '502' }), name: 'no-ids' });
    await subscribe(c.client, 'chat:plain');
    await subscribe(c.client, 'priv:plain', { token: signJwt({ sub: '502', channel: 'priv:plain', exp: now() + 3600 }, server.secret) });
    assert.deepEqual(await connections({ user: '502' }), {
      [c.id]: { app_name: 'no-ids', transport: 'websocket', protocol: 'json', state: { channels: ['chat:plain', 'priv:plain'] } },
    });
  });
});

describe('meta from a connect proxy', () => {
  test('a client without a token is authenticated by the backend; its meta shows in the API and in no client frame', async () => {
    const before = proxyCalls.length;
    const seen = new Received();
    const c = await wsClient(seen, { name: 'proxied', version: '9.9', data: { hello: 'backend' } });
    assert.deepEqual(c.connected.data, { welcome: true }, 'the backend\'s data reaches the client');

    assert.equal(proxyCalls.length, before + 1, 'one connect proxy call');
    const call = proxyCalls[before];
    assert.equal(call.method, 'POST');
    assert.equal(call.url, '/centrifugo/connect');
    assert.match(call.contentType ?? '', /^application\/json/);
    assert.deepEqual(call.body, {
      client: c.id, transport: 'websocket', protocol: 'json', encoding: 'json',
      name: 'proxied', version: '9.9', data: { hello: 'backend' },
    });

    const chat = await subscribe(c.client, 'chat:proxy');
    const presence = await within(5_000, 'presence()', chat.sub.presence());
    const me = presence.clients[c.id];
    assert.equal(me?.user, PROXY_USER, `presence: ${JSON.stringify(presence)}`);
    assert.deepEqual(me.connInfo, { via: 'proxy' }, 'the backend\'s info is the connection info');

    const mine = await connections({ user: PROXY_USER });
    assert.deepEqual(mine[c.id], {
      app_name: 'proxied', app_version: '9.9', transport: 'websocket', protocol: 'json',
      state: { channels: ['chat:proxy'], meta: { plan: 'gold', secret: PROXY_META_MARK } },
    });
    const flat = (await apiOk('user_connections', { user: PROXY_USER })).connections[c.id];
    assert.deepEqual(flat, {
      app_name: 'proxied', app_version: '9.9', transport: 'websocket', protocol: 'json',
      meta: { plan: 'gold', secret: PROXY_META_MARK },
    });
    seen.assertNoMeta([c.id, '"via"'], 'a proxied WebSocket client');
  });

  test('over uni_sse too (curl, no token): meta from the proxy in the API, not in the event stream', async () => {
    const before = proxyCalls.length;
    const connect = encodeURIComponent(JSON.stringify({ name: 'curl-proxied' }));
    const stream = curlStream([`${server.base}/connection/uni_sse?cf_connect=${connect}`]);
    const first = await stream.waitFor('the uni_sse connect push', (out) => sseEvents(out).find((e) => e.connect));
    const id = first.connect.client;
    assert.ok(id, `connect push: ${JSON.stringify(first)}`);
    assert.equal(proxyCalls.length, before + 1);
    assert.deepEqual(proxyCalls[before].body, {
      client: id, transport: 'uni_sse', protocol: 'json', encoding: 'json', name: 'curl-proxied',
    });
    const entry = (await connections({ user: PROXY_USER }))[id];
    assert.deepEqual(entry, {
      app_name: 'curl-proxied', transport: 'uni_sse', protocol: 'json',
      state: { meta: { plan: 'gold', secret: PROXY_META_MARK } },
    });
    stream.stop();
    const r = new Received();
    r.push(stream.out);
    r.assertNoMeta([id, '"welcome"'], 'a proxied uni_sse client');
  });
});

describe('connections with a CEL expression', () => {
  let red;
  let blue;

  before(async () => {
    red = await wsClient(new Received(), {
      token: connToken({ sub: 'cel-1', jti: 'cel-jti-1', meta: { cel_case: 'e2e', team: 'red', score: 7 } }), name: 'cel',
    });
    await subscribe(red.client, 'chat:cel');
    blue = await wsClient(new Received(), {
      token: connToken({ sub: 'cel-2', meta: { cel_case: 'e2e', team: 'blue', score: 3 } }), name: 'cel', version: '2',
    });
  });

  test('match', async () => {
    assert.deepEqual(await ids({ expression: 'has(meta.cel_case) && meta.cel_case == "e2e"' }), [red.id, blue.id].sort());
    assert.deepEqual(await ids({ expression: 'meta.team == "red"' }), [red.id]);
    assert.deepEqual(await ids({ expression: '"chat:cel" in channels && meta.score > 5' }), [red.id]);
    assert.deepEqual(await ids({ expression: 'app_name == "cel" && app_version == "2" && transport == "websocket" && protocol == "json"' }), [blue.id]);
    assert.deepEqual(await ids({ expression: 'token_uid == "cel-jti-1"' }), [red.id]);
    assert.deepEqual(await ids({ expression: `client == "${blue.id}"` }), [blue.id]);
    assert.deepEqual(await ids({ user: 'cel-2', expression: 'meta.score < 5' }), [blue.id]);
  });

  test('no match', async () => {
    assert.deepEqual(await connections({ expression: 'meta.team == "green"' }), {});
    assert.deepEqual(await connections({ user: 'cel-1', expression: 'meta.team == "blue"' }), {});
    assert.deepEqual(await connections({ expression: 'user == "nobody-at-all"' }), {});
  });

  for (const [kind, expression, message] of [
    ['type error', 'user + 1 == "x"', /found no matching overload for '_\+_' applied to '\(string, int\)'/],
    ['syntax error', 'user ==', /^ERROR: <input>:1:\d+: .*mismatched input '<EOF>'/s],
  ]) {
    test(`${kind}: error 107 with CEL's message`, async () => {
      const r = await server.api('connections', { expression });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.result, undefined, r.text);
      assert.equal(r.body.error?.code, 107, r.text);
      assert.match(r.body.error.message, message, r.text);
    });
  }
});

describe('disconnect', () => {
  test('a session closed by client id is gone from connections as soon as the call returns; whitelist keeps one', async () => {
    const token = connToken({ sub: 'gone' });
    const a = await wsClient(new Received(), { token, name: 'a' });
    const b = await wsClient(new Received(), { token, name: 'b' });
    const c = await wsClient(new Received(), { token, name: 'c' });
    assert.deepEqual(Object.keys(await connections({ user: 'gone' })).sort(), [a.id, b.id, c.id].sort());

    assert.deepEqual(await apiOk('disconnect', { client: a.id }), {});
    // No wait of any kind between the call's return and the check.
    assert.deepEqual(Object.keys(await connections({ user: 'gone' })).sort(), [b.id, c.id].sort());
    assert.deepEqual(Object.keys((await apiOk('user_connections', { user: 'gone' })).connections).sort(), [b.id, c.id].sort());
    const closed = await a.events.wait('disconnected');
    assert.equal(closed.code, 3503);

    assert.deepEqual(await apiOk('disconnect', { user: 'gone', whitelist: [b.id] }), {});
    assert.deepEqual(Object.keys(await connections({ user: 'gone' })), [b.id]);
    assert.deepEqual(Object.keys((await apiOk('rpc', { method: 'getUserConnections', params: { user: 'gone' } })).data), [b.id]);
    await c.events.wait('disconnected');
    assert.equal(b.client.state, 'connected');
  });
});

describe('every transport with a real client, listed with its transport; meta never on the wire', () => {
  const meta = { secret: TOKEN_META_MARK };

  for (const transport of ['http_stream', 'sse']) {
    test(`centrifuge-js over ${transport}`, async () => {
      const user = `t-${transport}`;
      const seen = new Received();
      const client = new Centrifuge([{ transport, endpoint: `${server.base}/connection/${transport}` }], {
        token: connToken({ sub: user, meta }),
        name: `js-${transport}`,
        emulationEndpoint: `${server.base}/emulation`,
        fetch: capturingFetch(seen),
        eventsource: capturingEventSource(seen),
        minReconnectDelay: 100,
        maxReconnectDelay: 1000,
      });
      const c = await start(client);
      assert.equal(c.connected.transport, transport);
      const channel = `chat:${transport}`;
      const { events } = await subscribe(client, channel);
      await apiOk('publish', { channel, data: { over: transport } });
      const pub = await events.wait('publication');
      assert.deepEqual(pub.data, { over: transport });

      assert.deepEqual(await connections({ user }), {
        [c.id]: { app_name: `js-${transport}`, transport, protocol: 'json', state: { channels: [channel], meta } },
      });
      assert.deepEqual(await ids({ expression: `transport == "${transport}"` }), [c.id]);
      seen.assertNoMeta([c.id, `"over":"${transport}"`], `centrifuge-js over ${transport}`);
      client.disconnect();
    });
  }

  test('curl over uni_sse (GET with cf_connect)', async () => {
    const user = 't-uni_sse';
    const channel = 'chat:uni_sse';
    const connect = encodeURIComponent(JSON.stringify({ token: connToken({ sub: user, meta, channels: [channel] }), name: 'curl-sse' }));
    const stream = curlStream([`${server.base}/connection/uni_sse?cf_connect=${connect}`]);
    const first = await stream.waitFor('the uni_sse connect push', (out) => sseEvents(out).find((e) => e.connect));
    const id = first.connect.client;
    assert.ok(first.connect.subs?.[channel], `connect push subscribes the token's channel: ${JSON.stringify(first)}`);
    assert.deepEqual(await connections({ user }), {
      [id]: { app_name: 'curl-sse', transport: 'uni_sse', protocol: 'json', state: { channels: [channel], meta } },
    });
    await apiOk('publish', { channel, data: { over: 'uni_sse' } });
    const pub = await stream.waitFor('the publication on the uni_sse stream',
      (out) => sseEvents(out).find((e) => e.channel === channel && e.pub));
    assert.deepEqual(pub.pub.data, { over: 'uni_sse' });
    stream.stop();
    const r = new Received();
    r.push(stream.out);
    r.assertNoMeta([id, '"over":"uni_sse"'], 'curl over uni_sse');
  });

  test('curl over uni_http_stream (POST)', async () => {
    const user = 't-uni_http_stream';
    const channel = 'chat:uni_http_stream';
    const body = JSON.stringify({ token: connToken({ sub: user, meta, channels: [channel] }), name: 'curl-hs' });
    const stream = curlStream(['-X', 'POST', `${server.base}/connection/uni_http_stream`, '--data', body]);
    const first = await stream.waitFor('the uni_http_stream connect push', (out) => ndjson(out).find((e) => e.connect));
    const id = first.connect.client;
    assert.deepEqual(await connections({ user }), {
      [id]: { app_name: 'curl-hs', transport: 'uni_http_stream', protocol: 'json', state: { channels: [channel], meta } },
    });
    await apiOk('publish', { channel, data: { over: 'uni_http_stream' } });
    const pub = await stream.waitFor('the publication on the uni_http_stream stream',
      (out) => ndjson(out).find((e) => e.channel === channel && e.pub));
    assert.deepEqual(pub.pub.data, { over: 'uni_http_stream' });
    stream.stop();
    const r = new Received();
    r.push(stream.out);
    r.assertNoMeta([id, '"over":"uni_http_stream"'], 'curl over uni_http_stream');
  });

  test('raw ws over uni_websocket', async () => {
    const user = 't-uni_websocket';
    const channel = 'chat:uni_websocket';
    const raw = await RawClient.open(WebSocket, `ws://127.0.0.1:${server.port}/connection/uni_websocket`);
    try {
      raw.send(JSON.stringify({ token: connToken({ sub: user, meta, channels: [channel] }), name: 'raw-uni-ws' }));
      const frames = [];
      const first = JSON.parse(await raw.next());
      frames.push(first);
      const id = first.connect?.client;
      assert.ok(id, `first uni_websocket frame: ${JSON.stringify(first)}`);
      assert.deepEqual(await connections({ user }), {
        [id]: { app_name: 'raw-uni-ws', transport: 'uni_websocket', protocol: 'json', state: { channels: [channel], meta } },
      });
      await apiOk('publish', { channel, data: { over: 'uni_websocket' } });
      let pub;
      while (!pub) {
        const f = JSON.parse(await raw.next());
        frames.push(f);
        if (f.channel === channel && f.pub) {
          pub = f;
        }
      }
      assert.deepEqual(pub.pub.data, { over: 'uni_websocket' });
      const r = new Received();
      r.push(frames.map((f) => JSON.stringify(f)).join('\n'));
      r.assertNoMeta([id, '"over":"uni_websocket"'], 'raw ws over uni_websocket');
    } finally {
      raw.terminate();
    }
  });
});
