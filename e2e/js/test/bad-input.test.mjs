// Bad input never hurts anyone else: raw `ws` clients send malformed, premature, oversized, random and truncated
// frames to a Herald started with `./herald`, while well-behaved centrifuge-js clients (JSON and protobuf) keep
// receiving every publication.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import crypto from 'node:crypto';
import WebSocket from 'ws';
import { Centrifuge } from 'centrifuge';
import { Centrifuge as CentrifugeProtobuf } from 'centrifuge/build/protobuf';
import { RawClient, Recorder, prng, startHerald, until, within } from '../harness.mjs';

const SIZE_LIMIT = 65536; // websocket.message_size_limit default
const SEED = Number(process.env.E2E_FUZZ_SEED ?? 20260101);
const ITERATIONS = 300;
const WORKERS = 4;

let server;
let token;
const sdkClients = [];

before(async () => {
  server = await startHerald({
    name: 'bad-input',
    configure(cfg) {
      cfg.channel = {
        namespaces: [{ name: 'fuzz', allow_subscribe_for_client: true, allow_publish_for_client: true }],
      };
    },
  });
  ({ token } = await server.gentoken(42));
});

after(async () => {
  for (const c of sdkClients) {
    c.disconnect();
  }
  await server?.stop();
});

// ---- protobuf by hand (field numbers from centrifugal/protocol client.proto) ----

function varint(n) {
  const out = [];
  let v = BigInt(n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) {
      b |= 0x80;
    }
    out.push(b);
  } while (v > 0n);
  return Buffer.from(out);
}
const pbVarint = (field, v) => Buffer.concat([varint(field << 3), varint(v)]);
const pbBytes = (field, buf) => Buffer.concat([varint((field << 3) | 2), varint(buf.length), buf]);
const pbString = (field, s) => pbBytes(field, Buffer.from(s, 'utf8'));
const delimited = (...messages) => Buffer.concat(messages.flatMap((m) => [varint(m.length), m]));

const pbConnect = (id) => Buffer.concat([pbVarint(1, id), pbBytes(4, pbString(1, token))]);
const pbSubscribe = (id, channel) => Buffer.concat([pbVarint(1, id), pbBytes(5, pbString(1, channel))]);
const pbPublish = (id, channel, data) =>
  Buffer.concat([pbVarint(1, id), pbBytes(7, Buffer.concat([pbString(1, channel), pbBytes(2, Buffer.from(data))]))]);

/** True for a protobuf frame holding exactly Reply{id, connect: ...}. */
function isPbConnectReply(frame, id) {
  return Buffer.isBuffer(frame) && frame[1] === 0x08 && frame[2] === id && frame[3] === 0x2a;
}

async function connectedJson() {
  const raw = await RawClient.open(WebSocket, server.ws);
  raw.send(JSON.stringify({ id: 1, connect: { token, name: 'raw' } }));
  const reply = JSON.parse(await raw.next());
  assert.equal(reply.id, 1);
  assert.ok(reply.connect?.client, `connect reply: ${JSON.stringify(reply)}`);
  return raw;
}

async function connectedProtobuf() {
  const raw = await RawClient.open(WebSocket, server.ws, { protocol: 'centrifuge-protobuf' });
  raw.send(delimited(pbConnect(1)));
  const reply = await raw.next();
  assert.ok(isPbConnectReply(reply, 1), `protobuf connect reply: ${Buffer.from(reply).toString('hex')}`);
  return raw;
}

// ---- well-behaved clients ----

async function sdkSubscriber(Impl, channel) {
  const client = new Impl(server.ws, { websocket: WebSocket, token, name: 'good' });
  sdkClients.push(client);
  const events = new Recorder(client, ['connecting', 'connected', 'disconnected', 'error']);
  client.connect();
  await events.wait('connected');
  const sub = client.newSubscription(channel);
  const subEvents = new Recorder(sub, ['subscribed', 'unsubscribed', 'subscribing', 'publication', 'error']);
  sub.subscribe();
  await subEvents.wait('subscribed');
  return { client, events, sub, subEvents };
}

describe('one bad client is closed, the others are served', () => {
  test('malformed JSON after connect -> 3501 for that client only', async () => {
    const good = await sdkSubscriber(Centrifuge, 'fuzz:one');
    const bad = await connectedJson();
    bad.send('{"id":2,"subscribe":{"channel":"fuzz:one"');
    const close = await bad.awaitClose();
    assert.deepEqual(close, { code: 3501, reason: 'bad request' });

    const publisher = await connectedJson();
    publisher.send(JSON.stringify({ id: 2, publish: { channel: 'fuzz:one', data: { still: 'here' } } }));
    assert.deepEqual(JSON.parse(await publisher.next()), { id: 2, publish: {} });
    const pub = await good.subEvents.wait('publication');
    assert.deepEqual(pub.data, { still: 'here' });
    assert.deepEqual(good.events.all('disconnected'), []);
    publisher.terminate();
  });

  test('a command before connect -> 3501', async () => {
    const raw = await RawClient.open(WebSocket, server.ws);
    raw.send(JSON.stringify({ id: 1, subscribe: { channel: 'fuzz:one' } }));
    assert.deepEqual(await raw.awaitClose(), { code: 3501, reason: 'bad request' });
  });

  test('garbage before connect -> 3501', async () => {
    const raw = await RawClient.open(WebSocket, server.ws);
    raw.send('#!not a command');
    assert.deepEqual(await raw.awaitClose(), { code: 3501, reason: 'bad request' });
  });

  test('a frame of exactly websocket.message_size_limit is accepted; one byte more -> close 1009', async () => {
    const frame = (size) => {
      const head = '{"id":2,"publish":{"channel":"fuzz:big","data":"';
      const tail = '"}}';
      return head + 'x'.repeat(size - head.length - tail.length) + tail;
    };
    const ok = await connectedJson();
    ok.send(frame(SIZE_LIMIT));
    assert.deepEqual(JSON.parse(await ok.next()), { id: 2, publish: {} });
    ok.terminate();

    const big = await connectedJson();
    big.send(frame(SIZE_LIMIT + 1));
    const close = await big.awaitClose();
    assert.equal(close.code, 1009);
  });

  test('an oversized frame before connect -> close 1009', async () => {
    const raw = await RawClient.open(WebSocket, server.ws);
    raw.send(crypto.randomBytes(SIZE_LIMIT + 4096).toString('base64'));
    assert.equal((await raw.awaitClose()).code, 1009);
  });

  test('protobuf: a truncated command after connect -> 3501', async () => {
    const raw = await connectedProtobuf();
    const frame = delimited(pbSubscribe(2, 'fuzz:one'));
    raw.send(frame.subarray(0, frame.length - 3));
    assert.deepEqual(await raw.awaitClose(), { code: 3501, reason: 'bad request' });
  });

  test('protobuf: a well-formed publish on the same connection is answered', async () => {
    const raw = await connectedProtobuf();
    raw.send(delimited(pbPublish(2, 'fuzz:pb', '{"n":1}')));
    const reply = await raw.next();
    // Reply{id:2, publish:{}} -> 04 08 02 42 00
    assert.equal(Buffer.from(reply).toString('hex'), '0408024200');
    raw.terminate();
  });
});

// ---- the fuzz loop ----

const PRINTABLE = '!#$%&()*+,./:;<=>?@[]^_`{|}~abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "\\\n';
const JUNK_START = '!#$%&()*<>?@^|~'; // never the start of a JSON value

function fuzzer(seed) {
  const rnd = prng(seed);
  const int = (n) => Math.floor(rnd() * n);
  const pick = (list) => list[int(list.length)];
  const junk = (len) => Array.from({ length: len }, () => PRINTABLE[int(PRINTABLE.length)]).join('');
  const channel = () => `fuzz:${junk(1 + int(8)).replace(/[^a-z0-9]/gi, 'c')}`;
  const validJson = () => {
    const id = 2 + int(1000);
    return JSON.stringify(pick([
      { id, subscribe: { channel: channel(), recover: rnd() < 0.5, offset: int(100), epoch: junk(4) } },
      { id, publish: { channel: channel(), data: { text: junk(int(40)), n: int(1e6) } } },
      { id, unsubscribe: { channel: channel() } },
      { id, presence: { channel: channel() } },
      { id, history: { channel: channel(), limit: int(10) } },
      { id, rpc: { method: junk(5), data: { a: [1, 2, { b: junk(3) }] } } },
      { id, refresh: { token } },
    ]));
  };
  const kinds = [
    // [name, weight, expected close code]
    ['garbage-before-connect', 3, 3501],
    ['command-before-connect', 3, 3501],
    ['truncated-json', 6, 3501],
    ['wrong-types', 3, 3501],
    ['pb-truncated', 4, 3501],
    ['pb-garbage-before-connect', 3, 3501],
    ['oversized', 1, 1009],
    ['tcp-partial-frame', 2, null],
  ];
  const total = kinds.reduce((s, k) => s + k[1], 0);
  return {
    int, rnd, validJson, junk,
    kind() {
      let r = int(total);
      for (const k of kinds) {
        r -= k[1];
        if (r < 0) {
          return { name: k[0], expect: k[2] };
        }
      }
      throw new Error('unreachable');
    },
    wrongTypes() {
      return pick([
        '{"id":"two","subscribe":{"channel":"fuzz:a"}}',
        '{"id":2,"subscribe":{"channel":5}}',
        '{"id":2,"subscribe":[1,2]}',
        '{"id":-3,"presence":{"channel":"fuzz:a"}}',
        '[{"id":2,"subscribe":{"channel":"fuzz:a"}}]',
        '{"id":2.5,"history":{"channel":"fuzz:a"}}',
        '{"id":2,"publish":{"channel":"fuzz:a","data":{"x":1}}}\n' + `${JUNK_START[int(JUNK_START.length)]}${junk(10)}`,
        'null',
      ]);
    },
  };
}

/** Upgrades a raw TCP socket, writes half a frame, hangs up. Resolves the status line of the handshake. */
function tcpPartialFrame(f) {
  return within(5_000, 'raw TCP upgrade', new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1');
    let head = '';
    socket.on('error', reject);
    socket.on('connect', () => socket.write(
      'GET /connection/websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
      + `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`));
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1');
      if (head.includes('\r\n\r\n')) {
        const status = head.split('\r\n')[0];
        // FIN + text, masked, 16-bit length 256, a mask, then only part of the payload.
        socket.write(Buffer.concat([Buffer.from([0x81, 0xfe, 0x01, 0x00]), crypto.randomBytes(4),
          crypto.randomBytes(1 + f.int(100))]));
        socket.destroy();
        resolve(status);
      }
    });
  }));
}

async function fuzzOne(f, iteration, failures) {
  const { name, expect } = f.kind();
  let frame;
  let raw;
  if (name === 'tcp-partial-frame') {
    const status = await tcpPartialFrame(f);
    if (!status.startsWith('HTTP/1.1 101')) {
      failures.push({ iteration, name, got: status });
    }
    return name;
  }
  switch (name) {
    case 'garbage-before-connect':
      raw = await RawClient.open(WebSocket, server.ws);
      frame = JUNK_START[f.int(JUNK_START.length)] + f.junk(f.int(200));
      break;
    case 'command-before-connect':
      raw = await RawClient.open(WebSocket, server.ws);
      frame = f.validJson();
      break;
    case 'truncated-json': {
      raw = await connectedJson();
      const full = f.validJson();
      frame = full.slice(0, 1 + f.int(full.length - 1));
      break;
    }
    case 'wrong-types':
      raw = await connectedJson();
      frame = f.wrongTypes();
      break;
    case 'pb-truncated': {
      raw = await connectedProtobuf();
      const full = delimited(f.rnd() < 0.5 ? pbSubscribe(2, 'fuzz:pb') : pbPublish(2, 'fuzz:pb', f.validJson()));
      frame = full.subarray(0, 1 + f.int(full.length - 1));
      break;
    }
    case 'pb-garbage-before-connect': {
      raw = await RawClient.open(WebSocket, server.ws, { protocol: 'centrifuge-protobuf' });
      const bytes = Buffer.from(Array.from({ length: 1 + f.int(64) }, () => f.int(256)));
      bytes[0] |= 0x80; // a varint that does not end in the first byte: never a lone, empty (pong) command
      frame = bytes;
      break;
    }
    case 'oversized':
      raw = await connectedJson();
      frame = '{"id":2,"publish":{"channel":"fuzz:x","data":"' + 'y'.repeat(SIZE_LIMIT + f.int(8192)) + '"}}';
      break;
    default:
      throw new Error(name);
  }
  raw.send(frame);
  try {
    const close = await raw.awaitClose(5_000);
    if (close.code !== expect) {
      failures.push({ iteration, name, expect, got: close, frame: String(frame).slice(0, 200) });
    }
  } catch (e) {
    failures.push({ iteration, name, expect, got: e.message, frame: Buffer.from(frame).toString('hex').slice(0, 200) });
    raw.terminate();
  }
  return name;
}

describe('a bounded loop of random and truncated frames', () => {
  test(`${ITERATIONS} bad frames from ${WORKERS} raw clients (seed ${SEED}); JSON and protobuf SDK clients receive every publication`, async (t) => {
    const channel = 'fuzz:stream';
    const jsonSub = await sdkSubscriber(Centrifuge, channel);
    const pbSub = await sdkSubscriber(CentrifugeProtobuf, channel);

    const publisher = new Centrifuge(server.ws, { websocket: WebSocket, token, name: 'publisher' });
    sdkClients.push(publisher);
    const publisherEvents = new Recorder(publisher, ['connecting', 'connected', 'disconnected']);
    publisher.connect();
    await publisherEvents.wait('connected');

    // One publication after every fuzz iteration, strictly in order through a promise chain.
    let published = 0;
    let chain = Promise.resolve();
    const publishErrors = [];
    const publishNext = () => {
      chain = chain.then(async () => {
        const seq = published++;
        try {
          await publisher.publish(channel, { seq });
        } catch (e) {
          publishErrors.push({ seq, error: e });
        }
      });
    };

    const failures = [];
    const counts = {};
    // Worker w runs iterations w, w + WORKERS, ... from its own seeded generator: the frames are the same on
    // every run (only their interleaving differs), so a failure names a reproducible seed and iteration.
    const workers = Array.from({ length: WORKERS }, (_, w) => (async () => {
      const f = fuzzer(SEED + w);
      for (let iteration = w; iteration < ITERATIONS; iteration += WORKERS) {
        const name = await fuzzOne(f, iteration, failures);
        counts[name] = (counts[name] ?? 0) + 1;
        publishNext();
      }
    })());
    await within(240_000, 'the fuzz loop', Promise.all(workers));
    await within(30_000, 'the publications', chain);
    t.diagnostic(`frames by kind: ${JSON.stringify(counts)}`);

    assert.equal(published, ITERATIONS);
    assert.deepEqual(publishErrors, [], 'every publish by the well-behaved publisher succeeds');
    const expected = Array.from({ length: published }, (_, i) => i);
    await until('every publication at the JSON subscriber', () => jsonSub.subEvents.all('publication').length >= published);
    await until('every publication at the protobuf subscriber', () => pbSub.subEvents.all('publication').length >= published);
    assert.deepEqual(jsonSub.subEvents.all('publication').map((p) => p.data.seq), expected);
    const decoder = new TextDecoder();
    assert.deepEqual(pbSub.subEvents.all('publication').map((p) => JSON.parse(decoder.decode(p.data)).seq), expected);
    for (const c of [jsonSub, pbSub]) {
      assert.deepEqual(c.events.all('disconnected'), []);
      assert.equal(c.events.all('connecting').length, 1, 'no reconnect');
    }
    assert.deepEqual(failures, [], `frames not closed as expected (kinds: ${JSON.stringify(counts)})`);
  });

  test('afterwards the server holds only the well-behaved connections', async () => {
    // 3 SDK clients (JSON subscriber, protobuf subscriber, publisher) plus the one from the first describe block.
    const expected = sdkClients.filter((c) => c.state === 'connected').length;
    await until(`info.num_clients == ${expected}`, async () => {
      const { body } = await server.api('info', {});
      return body?.result?.nodes?.[0]?.num_clients === expected;
    }, { ms: 10_000, everyMs: 100 });
  });
});

describe('bad input over the server API and slow readers', () => {
  test('an API body over http_api.max_request_body_size -> 413, both forms; malformed JSON -> 400; the API keeps working', async () => {
    const big = JSON.stringify({ channel: 'fuzz:api', data: { blob: 'z'.repeat(SIZE_LIMIT + 1024) } });
    const post = (path, body, headers) => fetch(`${server.base}${path}`, {
      method: 'POST', body, headers, signal: AbortSignal.timeout(10_000),
    });
    const key = { 'X-API-Key': server.apiKey };
    const legacyKey = { Authorization: `apikey ${server.apiKey}` };

    assert.equal((await post('/api/publish', big, key)).status, 413);
    assert.equal((await post('/api', JSON.stringify({ method: 'publish', params: JSON.parse(big) }), legacyKey)).status, 413);
    const malformed = await post('/api/publish', '{"channel":"fuzz:api","data":', key);
    assert.equal(malformed.status, 400, await malformed.text());
    const legacyMalformed = await post('/api', '{"method":"publish","params":{', legacyKey);
    assert.equal(legacyMalformed.status, 400, await legacyMalformed.text());

    const { status, body } = await server.api('publish', { channel: 'fuzz:api', data: { small: true } });
    assert.equal(status, 200);
    assert.deepEqual(body, { result: {} });
  });

  test('a subscriber that stops reading is dropped as slow while another keeps receiving every publication', async (t) => {
    const channel = 'fuzz:flood';
    const good = await sdkSubscriber(Centrifuge, channel);

    const slow = await connectedJson();
    slow.send(JSON.stringify({ id: 2, subscribe: { channel } }));
    assert.deepEqual(JSON.parse(await slow.next()), { id: 2, subscribe: {} });
    const publisher = await connectedJson();
    const numClients = async () => (await server.api('info', {})).body.result.nodes[0].num_clients;
    const before = await numClients();
    slow.ws.pause(); // stop reading: the kernel buffers fill, then the server's queue for this client

    const chunk = 'p'.repeat(48 * 1024);
    let published = 0;
    let dropped = false;
    // Bounded: ~48 MB at most, far beyond loopback socket buffers plus client.queue_max_size (1 MiB).
    while (published < 1000 && !dropped) {
      publisher.send(JSON.stringify({ id: 10 + published, publish: { channel, data: { seq: published, chunk } } }));
      const reply = JSON.parse(await publisher.next());
      assert.deepEqual(reply, { id: 10 + published, publish: {} });
      published++;
      if (published % 10 === 0) {
        dropped = (await numClients()) === before - 1;
      }
    }
    assert.ok(dropped, `the server still counts the stalled client after ${published} publications of 48 KiB`);

    await until(`the good subscriber to get all ${published} publications`,
      () => good.subEvents.all('publication').length >= published, { ms: 30_000 });
    assert.deepEqual(good.subEvents.all('publication').map((p) => p.data.seq), Array.from({ length: published }, (_, i) => i));
    assert.deepEqual(good.events.all('disconnected'), []);

    // Reading again: what was buffered arrives, then the connection ends. Centrifugo's slow close may not get its
    // Close frame through a full buffer, so either the 3008 frame or an abnormal end (1006) is right.
    slow.ws.resume();
    const close = await slow.awaitClose(30_000);
    assert.ok(close.code === 3008 || close.code === 1006, `close ${JSON.stringify(close)}`);
    const received = slow.frames.filter((f) => typeof f === 'string' && f.includes('"pub"')).length;
    t.diagnostic(`dropped after ${published} publications of 48 KiB; it had received ${received}; close ${JSON.stringify(close)}`);
    assert.ok(received < published, `the slow client got ${received} of ${published}: it was dropped, not just late`);
    publisher.terminate();
  });
});
