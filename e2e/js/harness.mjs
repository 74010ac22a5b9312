// Test harness: runs the real `./herald` launcher (genconfig, gentoken, serve) as child processes and gives the
// tests bounded waits for everything. Nothing here sleeps in place of synchronisation: every wait is for an event
// or a condition, with a deadline, and fails with a message saying what did not happen.
import { spawn, execFile } from 'node:child_process';
import crypto from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const LOG_DIR = path.join(REPO, 'e2e', 'js', 'logs');

// The command that runs Herald. Default: the launcher at the repository root. E2E_HERALD_CMD (space-separated,
// e.g. "java -jar herald-server/target/herald.jar") can stand in for it while debugging. Not HERALD_*, because
// the server warns about unknown HERALD_ variables.
const HERALD_CMD = (process.env.E2E_HERALD_CMD || path.join(REPO, 'herald')).split(' ').filter(Boolean);

// The first launcher call may build the jar if it is missing or stale; later ones start a JVM only.
const CLI_TIMEOUT_MS = 180_000;
const START_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 15_000;

/** Environment for Herald children: ours minus any HERALD_* that would leak into the server's config. */
function baseEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('HERALD_') || k === 'HERALD_JAVA_HOME' || k === 'HERALD_JAVA_OPTS' || k === 'HERALD_JAR') {
      env[k] = v;
    }
  }
  return { ...env, ...extra };
}

/** Runs `./herald ARGS...` to completion (bounded); resolves {code, stdout, stderr}. */
export function herald(args, { env = {}, timeoutMs = CLI_TIMEOUT_MS } = {}) {
  return new Promise((resolve, reject) => {
    execFile(HERALD_CMD[0], [...HERALD_CMD.slice(1), ...args],
      { cwd: REPO, env: baseEnv(env), timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (error && error.killed) {
          reject(new Error(`herald ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stderr}`));
          return;
        }
        if (error && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolve({ code: error ? error.code : 0, stdout, stderr });
      });
  });
}

/** Like {@link herald} but the exit code must be 0. */
export async function heraldOk(args, options) {
  const r = await herald(args, options);
  if (r.code !== 0) {
    throw new Error(`herald ${args.join(' ')} exited with ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return r;
}

/** Rejects with `what` (a string, or a function giving one) unless `promise` settles within `ms`. */
export function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${typeof what === 'function' ? what() : what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The next `event` from `emitter` (its arguments, as an array), within `ms`. */
export function nextEvent(emitter, event, ms = 10_000) {
  return within(ms, `event "${event}"`, once(emitter, event));
}

/** Polls `check` (sync or async, truthy = done) every `everyMs` until it passes or `ms` elapse. */
export async function until(what, check, { ms = 10_000, everyMs = 50 } = {}) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) {
        return last;
      }
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}` + (last instanceof Error ? `: ${last.message}` : ''));
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Resolves at wall-clock time `epochMs` (used only where the passage of time is itself what is tested). */
export function at(epochMs) {
  return new Promise((r) => setTimeout(r, Math.max(0, epochMs - Date.now())));
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Decodes a JWT's claims without verifying it. */
export function claims(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/**
 * An HS256 JWT with exactly `payload` as its claims, signed with `secret` (the config's
 * client.token.hmac_secret_key), for claims gentoken/gensubtoken do not set (jti, iat, meta, info, channels, ...).
 */
export function signJwt(payload, secret) {
  const part = (o) => Buffer.from(JSON.stringify(o), 'utf8').toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}`;
  return `${unsigned}.${crypto.createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/** Runs a real curl; resolves {code, stdout, stderr}. */
export function curl(args, { timeoutMs = 15_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile('curl', ['--silent', '--show-error', '--max-time', String(Math.ceil(timeoutMs / 1000)), ...args],
      { timeout: timeoutMs + 2_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolve({ code: error ? error.code : 0, stdout, stderr });
      });
  });
}

// Every server still running is killed when this process exits, whatever the reason.
const running = new Set();
function killAll() {
  for (const child of running) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    killAll();
    process.exit(128 + { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }[signal]);
  });
}

/**
 * Writes a config with `./herald genconfig`, lets `configure(cfg)` edit the parsed JSON, starts `./herald -c cfg`
 * on a free port given through HERALD_HTTP_SERVER_PORT, and waits for /health. Use in a `before` hook with the
 * matching `after(() => server.stop())`.
 */
export async function startHerald({ name = 'herald', configure = () => {}, env = {}, args = [] } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-e2e-'));
  const configPath = path.join(dir, 'config.json');
  let config;
  try {
    await heraldOk(['genconfig', '-c', configPath]);
    config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
    configure(config);
    fs.writeFileSync(configPath, JSON.stringify(config, null, 2));
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  const port = await freePort();
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const logPath = path.join(LOG_DIR, `${name}-${port}.log`);
  const log = fs.openSync(logPath, 'w');
  // A process group of its own, so that stop() reaches the JVM even if the launcher does not exec it.
  const child = spawn(HERALD_CMD[0], [...HERALD_CMD.slice(1), '-c', configPath, ...args], {
    cwd: REPO,
    env: baseEnv({ HERALD_HTTP_SERVER_PORT: String(port), HERALD_HTTP_SERVER_ADDRESS: '127.0.0.1', ...env }),
    stdio: ['ignore', log, log],
    detached: true,
  });
  running.add(child);
  let exited = null;
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => {
    exited = { code, signal };
    running.delete(child);
    resolve(exited);
  }));

  const base = `http://127.0.0.1:${port}`;
  const server = {
    dir, configPath, config, port, base, logPath,
    ws: `ws://127.0.0.1:${port}/connection/websocket`,
    apiKey: config.http_api?.key,
    secret: config.client?.token?.hmac_secret_key,
    child,
    /** The server's log so far. */
    logs: () => fs.readFileSync(logPath, 'utf8'),
    /** `./herald gentoken -u USER [-t TTL] -c cfg`: {line, token}. */
    async gentoken(user, ttlSeconds) {
      const args = ['gentoken', '-u', String(user), '-c', configPath];
      if (ttlSeconds !== undefined) {
        args.push('-t', String(ttlSeconds));
      }
      const r = await heraldOk(args);
      const lines = r.stdout.split('\n').filter((l) => l.length > 0);
      if (lines.length !== 2) {
        throw new Error(`gentoken printed ${lines.length} lines, expected 2:\n${r.stdout}`);
      }
      return { line: lines[0], token: lines[1] };
    },
    /** `./herald gensubtoken -q -u USER -s CHANNEL [-t TTL] -c cfg`: the token. */
    async gensubtoken(user, channel, ttlSeconds) {
      const args = ['gensubtoken', '-q', '-u', String(user), '-s', channel, '-c', configPath];
      if (ttlSeconds !== undefined) {
        args.push('-t', String(ttlSeconds));
      }
      const r = await heraldOk(args);
      return r.stdout.trim();
    },
    /** POST /api/<method> with X-API-Key; resolves {status, body}. */
    async api(method, params) {
      const res = await fetch(`${base}/api/${method}`, {
        method: 'POST',
        headers: { 'X-API-Key': server.apiKey, 'Content-Type': 'application/json' },
        body: JSON.stringify(params ?? {}),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      let body;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        throw new Error(`POST /api/${method}: HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
      }
      return { status: res.status, text, body };
    },
    /** SIGTERM to the process group, SIGKILL after a bound; resolves the exit status. */
    async stop() {
      if (!exited) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
        try {
          await within(STOP_TIMEOUT_MS, 'herald to exit after SIGTERM', exit);
        } catch {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // already gone
          }
          await within(STOP_TIMEOUT_MS, 'herald to exit after SIGKILL', exit);
        }
      }
      fs.closeSync(log);
      fs.rmSync(dir, { recursive: true, force: true });
      return exited;
    },
  };

  try {
    await until(`${base}/health`, async () => {
      if (exited) {
        throw new Error(`herald exited early (${JSON.stringify(exited)}):\n${server.logs()}`);
      }
      const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2_000) });
      return res.status === 200;
    }, { ms: START_TIMEOUT_MS, everyMs: 100 });
  } catch (e) {
    await server.stop();
    throw new Error(`${e.message}\n--- server log ---\n${fs.existsSync(logPath) ? fs.readFileSync(logPath, 'utf8') : ''}`);
  }
  return server;
}

// redis-server for the cluster tests: Debian's package puts it on the PATH; REDIS_SERVER may name another binary.
const REDIS_CMD = process.env.REDIS_SERVER || 'redis-server';
const REDIS_START_TIMEOUT_MS = 15_000;

/** Sends PING on a fresh connection to 127.0.0.1:`port`; resolves true on +PONG (false on anything else). */
function redisPing(port, ms = 1_000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let answer = '';
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(ms, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) {
        // A Redis still loading answers -LOADING: not ready yet.
        done(answer.startsWith('+PONG'));
      }
    });
  });
}

/**
 * Starts a real `redis-server` on a free loopback port, without persistence (`--save "" --appendonly no`), in a
 * process group of its own (killed with the Herald children if this process dies), its output in
 * e2e/js/logs/redis-<port>.log; resolves once it answers PING. Returns {port, address, logPath, logs(), stop()}:
 * stop() is SIGTERM to its pid, SIGKILL after a bound. Use in a `before` hook with `after(() => redis.stop())`.
 */
export async function startRedis({ name = 'redis' } = {}) {
  // Its working directory (where a dump would go, if anything asked for one) is a temporary one, not the repository.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-e2e-redis-'));
  const port = await freePort();
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const logPath = path.join(LOG_DIR, `${name}-${port}.log`);
  const log = fs.openSync(logPath, 'w');
  const child = spawn(REDIS_CMD, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--dir', dir], { cwd: dir, stdio: ['ignore', log, log], detached: true });
  running.add(child);
  let exited = null;
  const exit = new Promise((resolve) => {
    const gone = (status) => {
      if (!exited) {
        exited = status;
        running.delete(child);
        resolve(exited);
      }
    };
    child.on('exit', (code, signal) => gone({ code, signal }));
    // A missing binary: no exit event follows the spawn error.
    child.on('error', (error) => gone({ error: error.message }));
  });

  const logs = () => fs.readFileSync(logPath, 'utf8');
  const redis = {
    port, logPath, logs,
    address: `redis://127.0.0.1:${port}`,
    child,
    /** SIGTERM to the process group, SIGKILL after a bound; resolves the exit status. */
    async stop() {
      if (!exited) {
        for (const [signal, what] of [['SIGTERM', 'after SIGTERM'], ['SIGKILL', 'after SIGKILL']]) {
          try {
            process.kill(-child.pid, signal);
          } catch {
            // already gone
          }
          try {
            await within(STOP_TIMEOUT_MS, `redis-server to exit ${what}`, exit);
            break;
          } catch (e) {
            if (signal === 'SIGKILL') {
              throw e;
            }
          }
        }
      }
      fs.closeSync(log);
      fs.rmSync(dir, { recursive: true, force: true });
      return exited;
    },
  };

  try {
    // Not `until`: a server that exited (a taken port, a missing binary) fails the start at once, not at the deadline.
    const deadline = Date.now() + REDIS_START_TIMEOUT_MS;
    while (!(await redisPing(port))) {
      if (exited) {
        throw new Error(`${REDIS_CMD} exited early (${JSON.stringify(exited)})`);
      }
      if (Date.now() >= deadline) {
        throw new Error(`timed out after ${REDIS_START_TIMEOUT_MS} ms waiting for redis-server on port ${port} `
          + 'to answer PING');
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (e) {
    await redis.stop();
    const text = fs.existsSync(logPath) ? fs.readFileSync(logPath, 'utf8') : '';
    throw new Error(`${e.message}\n--- redis log ---\n${text}`);
  }
  return redis;
}

/** Collects a client's or subscription's events by name, with a bounded wait for the n-th of one kind. */
export class Recorder {
  constructor(emitter, events) {
    this.seen = [];
    this.waiters = [];
    for (const name of events) {
      emitter.on(name, (ctx) => {
        this.seen.push({ name, ctx, at: Date.now() });
        this.waiters = this.waiters.filter((w) => !w.check());
      });
    }
  }

  all(name) {
    return this.seen.filter((e) => e.name === name).map((e) => e.ctx);
  }

  /** Resolves the `count`-th event called `name` (1-based) once it has happened. */
  wait(name, { count = 1, ms = 10_000 } = {}) {
    return within(ms, () => `${count} x "${name}" (seen: ${this.seen.map((e) => e.name).join(', ') || 'nothing'})`,
      new Promise((resolve) => {
        const check = () => {
          const list = this.all(name);
          if (list.length >= count) {
            resolve(list[count - 1]);
            return true;
          }
          return false;
        };
        if (!check()) {
          this.waiters.push({ check });
        }
      }));
  }
}

/** Deterministic PRNG (mulberry32) for reproducible fuzzing. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A raw WebSocket client (the `ws` package) for speaking the protocol by hand: `next()` gives the next frame,
 * `closed` resolves {code, reason} when the server closes.
 */
export class RawClient {
  static async open(WebSocket, url, { protocol, ms = 10_000 } = {}) {
    const c = new RawClient(new WebSocket(url, protocol ? [protocol] : [], { maxPayload: 1 << 24, perMessageDeflate: false }));
    await within(ms, `WebSocket open ${url}`, c.opened);
    return c;
  }

  constructor(ws) {
    this.ws = ws;
    this.frames = [];
    this.waiters = [];
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') }));
    });
    ws.on('error', () => {}); // a reset during a close handshake is not a test failure by itself
    ws.on('message', (data, isBinary) => {
      this.frames.push(isBinary ? Buffer.from(data) : data.toString('utf8'));
      this.waiters.shift()?.();
    });
  }

  send(data) {
    this.ws.send(data);
  }

  /** The next frame received (text as string, binary as Buffer), within `ms`. */
  async next(ms = 10_000) {
    if (this.frames.length === 0) {
      await within(ms, 'a frame from the server', new Promise((resolve) => this.waiters.push(resolve)));
    }
    return this.frames.shift();
  }

  /** The server's close {code, reason}, within `ms`. */
  awaitClose(ms = 10_000) {
    return within(ms, 'the server to close the WebSocket', this.closed);
  }

  terminate() {
    this.ws.terminate();
  }
}
