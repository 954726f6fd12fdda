#!/usr/bin/env node
// devdb: the project's embedded development/test database (FerretDB v1 on SQLite,
// MongoDB wire protocol). Builds the Go program in this folder once, starts and stops it.
//
// Library:
//   import { ensureBuilt, startDevdb } from '<repo>/tools/devdb/devdb.mjs';
//   const db = await startDevdb({ port: 0, dataDir: tmpDir, quiet: true });
//   // … mongoose.connect(db.uri) …
//   await db.stop();
//
// CLI:
//   node tools/devdb/devdb.mjs build  [--force]
//   node tools/devdb/devdb.mjs start  [--port N] [--data-dir DIR] [--log-level L] [--quiet]
//   node tools/devdb/devdb.mjs stop   [--data-dir DIR]
//   node tools/devdb/devdb.mjs status [--data-dir DIR]
//
// No npm dependencies; Node >= 20; needs `go` (>= 1.24) on PATH (or DEVDB_GO) to build.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Absolute path of the repository root (with no trailing separator). */
export const REPO_ROOT = path.resolve(fileURLToPath(new URL('../../', import.meta.url)));
/** Absolute path of tools/devdb (the Go module). */
export const DEVDB_DIR = path.join(REPO_ROOT, 'tools', 'devdb');
/** Absolute path of the built binary: <repo>/.data/bin/devdb. */
export const BIN_PATH = path.join(
  REPO_ROOT,
  '.data',
  'bin',
  process.platform === 'win32' ? 'devdb.exe' : 'devdb',
);
/** Default data directory: <repo>/.data/devdb. */
export const DEFAULT_DATA_DIR = path.join(REPO_ROOT, '.data', 'devdb');
/** Default TCP port (on 127.0.0.1). */
export const DEFAULT_PORT = 27018;

/** Name of the file the running binary writes into its data directory. */
const PID_FILE = 'devdb.pid.json';
/** Go build tags: the PostgreSQL backend is not needed (saves build time and ~6 MB). */
const GO_BUILD_TAGS = 'ferretdb_no_postgresql';
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const LOG_TAIL_LINES = 40;

/**
 * @typedef {object} BuildProgress
 * @property {'start' | 'tick' | 'package' | 'done'} phase
 * @property {string} message   human-readable line
 * @property {number} elapsedMs
 * @property {number} packages  packages compiled so far (from `go build -v`)
 * @property {boolean} firstTime true when no binary existed before
 */

/**
 * @typedef {object} EnsureBuiltOptions
 * @property {(p: BuildProgress) => void} [onProgress] replaces the default progress output (stderr)
 * @property {boolean} [quiet]  no progress output at all (ignored when onProgress is given)
 * @property {boolean} [force]  run `go build` even when the binary looks up to date
 */

/**
 * @typedef {object} EnsureBuiltResult
 * @property {string} binPath
 * @property {boolean} built  false when the binary was already up to date
 * @property {number} ms      time spent
 */

/**
 * Builds <repo>/.data/bin/devdb with `go build` when it is missing or older than any
 * *.go file, go.mod or go.sum in tools/devdb. Go's build cache makes rebuilds cheap;
 * the very first (cold) build compiles SQLite-in-Go and takes about a minute.
 *
 * @param {EnsureBuiltOptions} [options]
 * @returns {Promise<EnsureBuiltResult>}
 */
export async function ensureBuilt({ onProgress, quiet = false, force = false } = {}) {
  const t0 = Date.now();
  const binMtime = mtimeMs(BIN_PATH);
  const firstTime = binMtime === undefined;
  if (!force && !firstTime && binMtime >= newestSourceMtime()) {
    return { binPath: BIN_PATH, built: false, ms: Date.now() - t0 };
  }

  const report = onProgress ?? (quiet ? () => {} : defaultProgressPrinter());
  let packages = 0;
  const progress = (/** @type {BuildProgress['phase']} */ phase, /** @type {string} */ message) =>
    report({ phase, message, elapsedMs: Date.now() - t0, packages, firstTime });

  progress(
    'start',
    firstTime
      ? 'devdb: building embedded database (first time, ~1-2 min on a cold Go cache; later builds are cached)…'
      : `devdb: rebuilding embedded database (${force ? 'forced' : 'sources changed'})…`,
  );

  fs.mkdirSync(path.dirname(BIN_PATH), { recursive: true });
  // Build to a temporary name and rename, so a concurrent start never sees a half-written binary.
  const tmp = `${BIN_PATH}.tmp-${process.pid}`;
  const goBin = process.env.DEVDB_GO || 'go';
  const args = [
    'build',
    '-v',
    '-trimpath',
    '-buildvcs=false',
    '-tags',
    GO_BUILD_TAGS,
    '-ldflags=-s -w',
    '-o',
    tmp,
    '.',
  ];

  /** @type {string[]} */
  const tail = [];
  const child = spawn(goBin, args, {
    cwd: DEVDB_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CGO_ENABLED: '0', GOWORK: 'off' },
  });
  const onLine = (/** @type {string} */ line) => {
    pushTail(tail, line);
    // `go build -v` prints one import path per compiled package.
    if (/^[\w.-]+(\/[\w.~+-]+)*$/.test(line) && !line.startsWith('go:')) {
      packages++;
      progress('package', line);
    }
  };
  forEachLine(child.stdout, onLine);
  forEachLine(child.stderr, onLine);
  const ticker = setInterval(
    () =>
      progress(
        'tick',
        `devdb: still building… ${Math.round((Date.now() - t0) / 1000)}s, ${packages} packages compiled`,
      ),
    3000,
  );

  /** @type {number | null} */
  let code;
  try {
    code = await new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c) => resolve(c));
    });
  } catch (err) {
    clearInterval(ticker);
    const e = /** @type {NodeJS.ErrnoException} */ (err);
    if (e.code === 'ENOENT') {
      throw new Error(
        `devdb: \`${goBin}\` was not found on PATH. The embedded database is a small Go program; ` +
          'install Go >= 1.24 (https://go.dev/dl/) or set DEVDB_GO to the go binary, then retry.',
      );
    }
    throw new Error(`devdb: could not run \`${goBin} build\`: ${e.message}`);
  }
  clearInterval(ticker);

  if (code !== 0) {
    fs.rmSync(tmp, { force: true });
    throw new Error(
      `devdb: \`go ${args.join(' ')}\` failed in ${DEVDB_DIR} (exit ${code}). Last output:\n` +
        tail.filter((l) => !/^[\w.-]+(\/[\w.~+-]+)*$/.test(l)).join('\n'),
    );
  }
  fs.renameSync(tmp, BIN_PATH);
  const ms = Date.now() - t0;
  progress(
    'done',
    `devdb: built ${path.relative(process.cwd(), BIN_PATH) || BIN_PATH} in ${(ms / 1000).toFixed(1)}s`,
  );
  return { binPath: BIN_PATH, built: true, ms };
}

/**
 * @typedef {object} StartOptions
 * @property {number} [port]       TCP port on 127.0.0.1; 0 = a free port chosen by the OS
 *                                 (the binary binds :0 and reports the real port, so there is no race).
 *                                 Default: $DEVDB_PORT or 27018.
 * @property {string} [dataDir]    SQLite directory (created if missing). Default: $DEVDB_DATA_DIR or <repo>/.data/devdb.
 *                                 One running devdb per directory (it is locked).
 * @property {boolean} [quiet]     do not forward the database's output to stderr
 * @property {string} [logLevel]   debug | info | warn | error (default: $DEVDB_LOG_LEVEL or error)
 * @property {number} [timeoutMs]  how long to wait for readiness (default 30000)
 * @property {boolean} [build]     call ensureBuilt() first (default true)
 * @property {boolean} [unref]     do not let the child keep the Node event loop alive (default false).
 *                                 Either way the database exits when this Node process dies (its stdin closes).
 */

/**
 * @typedef {object} DevdbHandle
 * @property {string} uri       e.g. mongodb://127.0.0.1:27018/
 * @property {number} port
 * @property {string} dataDir   absolute
 * @property {number} pid
 * @property {Promise<number | null>} exited resolves with the exit code when the process ends
 * @property {() => Promise<void>} stop SIGTERM, wait for exit (SIGKILL after 5 s); idempotent
 */

/**
 * Starts the embedded database and resolves once it answers a MongoDB `ping`.
 * Rejects (with the last log lines) if it exits early or is not ready within the timeout.
 *
 * @param {StartOptions} [options]
 * @returns {Promise<DevdbHandle>}
 */
export async function startDevdb({
  port = envPort(),
  dataDir = process.env.DEVDB_DATA_DIR || DEFAULT_DATA_DIR,
  quiet = false,
  logLevel = process.env.DEVDB_LOG_LEVEL || 'error',
  timeoutMs = READY_TIMEOUT_MS,
  build = true,
  unref = false,
} = {}) {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`devdb: invalid port ${port}`);
  if (build)
    await ensureBuilt(); // build progress is shown even when quiet: a first build takes a while
  else if (!fs.existsSync(BIN_PATH))
    throw new Error(`devdb: ${BIN_PATH} does not exist; run \`node tools/devdb/devdb.mjs build\``);

  const absDataDir = path.resolve(dataDir);
  fs.mkdirSync(absDataDir, { recursive: true });

  const args = [
    '--port',
    String(port),
    '--data-dir',
    absDataDir,
    '--log-level',
    logLevel,
    '--exit-on-stdin-close',
  ];

  const t0 = Date.now();
  const child = spawn(BIN_PATH, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  /** @type {string[]} */
  const tail = [];
  const log = (/** @type {string} */ line) => {
    pushTail(tail, line);
    if (!quiet) process.stderr.write(`[devdb] ${line}\n`);
  };

  /** @type {Promise<number | null>} */
  const exited = new Promise((resolve) => {
    child.once('error', (err) => {
      log(`spawn error: ${err.message}`);
      resolve(null);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null)));
  });

  /** @type {(port: number) => void} */
  let onListening = () => {};
  const listening = new Promise((resolve) => (onListening = resolve));
  forEachLine(child.stdout, (line) => {
    const m = /^devdb listening on 127\.0\.0\.1:(\d+) /.exec(line);
    if (m) onListening(Number(m[1]));
    log(line);
  });
  forEachLine(child.stderr, log);

  /** @type {Promise<void> | undefined} */
  let stopping;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
      child.stdin?.destroy();
    })());

  const fail = async (/** @type {string} */ why) => {
    await stop();
    const logs = tail.join('\n');
    const hint = /address already in use/.test(logs)
      ? `\nPort ${port} is already in use (another devdb? try \`node tools/devdb/devdb.mjs status\`, or use port 0).`
      : /in use by another devdb/.test(logs)
        ? '\nAnother devdb is already running on this data directory (`node tools/devdb/devdb.mjs status`).'
        : '';
    return new Error(`devdb: ${why}.${hint}\nLast output:\n${logs || '(none)'}`);
  };

  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  try {
    const first = await Promise.race([listening, exited.then(() => 'exited'), timeout]);
    if (first === 'exited')
      throw await fail(`process exited early (code ${child.exitCode ?? child.signalCode})`);
    if (first === 'timeout') throw await fail(`not listening after ${timeoutMs} ms`);
    const actualPort = /** @type {number} */ (first);

    // The socket is bound before the line is printed; check that it really speaks MongoDB.
    for (;;) {
      const err = await mongoPing(actualPort, 2000).then(
        () => null,
        (e) => e,
      );
      if (!err) break;
      if (child.exitCode !== null || child.signalCode !== null) throw await fail('process exited early');
      if (Date.now() - t0 > timeoutMs)
        throw await fail(`no answer to ping after ${timeoutMs} ms (${err.message})`);
      await new Promise((r) => setTimeout(r, 100));
    }
    clearTimeout(timer);

    if (unref) {
      child.unref();
      for (const s of [child.stdin, child.stdout, child.stderr]) /** @type {any} */ (s)?.unref?.();
    }
    return {
      uri: `mongodb://127.0.0.1:${actualPort}/`,
      port: actualPort,
      dataDir: absDataDir,
      pid: /** @type {number} */ (child.pid),
      exited,
      stop,
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * @typedef {object} DevdbStatus
 * @property {boolean} running   a live process holds the pid file and answers ping
 * @property {number} [pid]
 * @property {number} [port]
 * @property {string} [uri]
 * @property {string} dataDir
 * @property {string} [problem]  why it is not considered running
 */

/**
 * Looks for a devdb running on `dataDir` (through the pid file it writes there).
 *
 * @param {{ dataDir?: string }} [options]
 * @returns {Promise<DevdbStatus>}
 */
export async function devdbStatus({ dataDir = process.env.DEVDB_DATA_DIR || DEFAULT_DATA_DIR } = {}) {
  const absDataDir = path.resolve(dataDir);
  /** @type {{ pid: number, port: number, uri: string }} */
  let info;
  try {
    info = JSON.parse(fs.readFileSync(path.join(absDataDir, PID_FILE), 'utf8'));
  } catch {
    return { running: false, dataDir: absDataDir, problem: 'no pid file' };
  }
  if (!isAlive(info.pid))
    return { running: false, dataDir: absDataDir, problem: `stale pid file (pid ${info.pid} is gone)` };
  const pingErr = await mongoPing(info.port, 2000).then(
    () => null,
    (e) => e,
  );
  return {
    running: !pingErr,
    pid: info.pid,
    port: info.port,
    uri: info.uri,
    dataDir: absDataDir,
    ...(pingErr ? { problem: `process ${info.pid} is alive but ping failed: ${pingErr.message}` } : {}),
  };
}

/**
 * Stops a devdb running on `dataDir` that another process started (e.g. `devdb.mjs start &`).
 *
 * @param {{ dataDir?: string }} [options]
 * @returns {Promise<boolean>} true if a process was stopped
 */
export async function stopDevdb({ dataDir = process.env.DEVDB_DATA_DIR || DEFAULT_DATA_DIR } = {}) {
  const st = await devdbStatus({ dataDir });
  if (!st.pid || !isAlive(st.pid)) return false;
  process.kill(st.pid, 'SIGTERM');
  const deadline = Date.now() + STOP_GRACE_MS;
  while (isAlive(st.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(st.pid)) process.kill(st.pid, 'SIGKILL');
  return true;
}

// ---------------------------------------------------------------- helpers

/** @returns {number} */
function envPort() {
  const p = process.env.DEVDB_PORT;
  return p ? Number(p) : DEFAULT_PORT;
}

/** @param {string} p @returns {number | undefined} */
function mtimeMs(p) {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Newest mtime of the Go sources (tools/devdb/*.go, go.mod, go.sum) and of the folder itself (files added/removed). */
function newestSourceMtime() {
  let newest = mtimeMs(DEVDB_DIR) ?? 0;
  for (const name of fs.readdirSync(DEVDB_DIR)) {
    if (name.endsWith('.go') || name === 'go.mod' || name === 'go.sum') {
      newest = Math.max(newest, mtimeMs(path.join(DEVDB_DIR, name)) ?? 0);
    }
  }
  return newest;
}

/** @param {number} pid */
function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return /** @type {NodeJS.ErrnoException} */ (e).code === 'EPERM';
  }
}

/** @param {string[]} tail @param {string} line */
function pushTail(tail, line) {
  tail.push(line);
  if (tail.length > LOG_TAIL_LINES) tail.shift();
}

/** @param {import('node:stream').Readable | null} stream @param {(line: string) => void} fn */
function forEachLine(stream, fn) {
  if (!stream) return;
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (/** @type {string} */ chunk) => {
    buf += chunk;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      fn(buf.slice(0, i).replace(/\r$/, ''));
      buf = buf.slice(i + 1);
    }
  });
  stream.on('end', () => {
    if (buf) fn(buf);
    buf = '';
  });
}

/** Default progress output: a line per event to stderr, an in-place ticker on a TTY. */
function defaultProgressPrinter() {
  const tty = process.stderr.isTTY;
  let ticking = false;
  return (/** @type {BuildProgress} */ p) => {
    if (p.phase === 'package') return;
    if (p.phase === 'tick') {
      if (tty) {
        process.stderr.write(`\r${p.message}\x1b[K`);
        ticking = true;
      } else if (Math.round(p.elapsedMs / 1000) % 15 < 3) {
        process.stderr.write(`${p.message}\n`); // every ~15 s in CI logs
      }
      return;
    }
    if (ticking) process.stderr.write('\r\x1b[K');
    ticking = false;
    process.stderr.write(`${p.message}\n`);
  };
}

/**
 * Sends a MongoDB OP_MSG `{ ping: 1, $db: "admin" }` and checks for `ok: 1`.
 * @param {number} port
 * @param {number} timeoutMs
 * @returns {Promise<void>}
 */
export function mongoPing(port, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const doc = bsonDoc([
      [0x10, 'ping', int32(1)],
      [0x02, '$db', bsonString('admin')],
    ]);
    const body = Buffer.concat([int32(0) /* flagBits */, Buffer.from([0]) /* section kind 0 */, doc]);
    const header = Buffer.alloc(16);
    header.writeInt32LE(16 + body.length, 0);
    header.writeInt32LE(1, 4); // requestID
    header.writeInt32LE(0, 8); // responseTo
    header.writeInt32LE(2013, 12); // OP_MSG

    const sock = net.connect({ host: '127.0.0.1', port });
    let data = Buffer.alloc(0);
    const done = (/** @type {Error | null} */ err) => {
      sock.destroy();
      clearTimeout(timer);
      err ? reject(err) : resolve();
    };
    const timer = setTimeout(() => done(new Error('ping timed out')), timeoutMs);
    sock.once('error', (err) => done(err));
    sock.once('connect', () => sock.write(Buffer.concat([header, body])));
    sock.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (data.length < 4 || data.length < data.readInt32LE(0)) return;
      try {
        if (data.readInt32LE(12) !== 2013) throw new Error(`unexpected opCode ${data.readInt32LE(12)}`);
        const ok = bsonTopLevel(data.subarray(21)).get('ok');
        done(ok === 1 ? null : new Error(`ping answered ok=${ok}`));
      } catch (e) {
        done(/** @type {Error} */ (e));
      }
    });
    sock.once('close', () => done(new Error('connection closed before a reply')));
  });
}

/** @param {number} n */
function int32(n) {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n, 0);
  return b;
}

/** @param {string} s */
function bsonString(s) {
  const str = Buffer.from(`${s}\0`, 'utf8');
  return Buffer.concat([int32(str.length), str]);
}

/** @param {Array<[number, string, Buffer]>} fields */
function bsonDoc(fields) {
  const parts = fields.map(([type, name, value]) =>
    Buffer.concat([Buffer.from([type]), Buffer.from(`${name}\0`, 'utf8'), value]),
  );
  const inner = Buffer.concat([...parts, Buffer.from([0])]);
  return Buffer.concat([int32(4 + inner.length), inner]);
}

/**
 * Reads the numeric/boolean top-level fields of a BSON document (enough to find `ok`).
 * @param {Buffer} buf
 * @returns {Map<string, number | boolean>}
 */
function bsonTopLevel(buf) {
  /** @type {Map<string, number | boolean>} */
  const out = new Map();
  const end = buf.readInt32LE(0) - 1;
  let i = 4;
  while (i < end) {
    const type = buf[i++];
    const nameEnd = buf.indexOf(0, i);
    const name = buf.toString('utf8', i, nameEnd);
    i = nameEnd + 1;
    switch (type) {
      case 0x01:
        out.set(name, buf.readDoubleLE(i));
        i += 8;
        break; // double
      case 0x10:
        out.set(name, buf.readInt32LE(i));
        i += 4;
        break; // int32
      case 0x12:
        out.set(name, Number(buf.readBigInt64LE(i)));
        i += 8;
        break; // int64
      case 0x08:
        out.set(name, buf[i] === 1);
        i += 1;
        break; // bool
      case 0x02:
      case 0x0d:
      case 0x0e:
        i += 4 + buf.readInt32LE(i);
        break; // string, code, symbol
      case 0x03:
      case 0x04:
        i += buf.readInt32LE(i);
        break; // document, array
      case 0x05:
        i += 5 + buf.readInt32LE(i);
        break; // binary
      case 0x07:
        i += 12;
        break; // ObjectId
      case 0x09:
      case 0x11:
        i += 8;
        break; // datetime, timestamp
      case 0x0a:
      case 0x06:
      case 0xff:
      case 0x7f:
        break; // null, undefined, min/max key
      case 0x0b:
        i = buf.indexOf(0, buf.indexOf(0, i) + 1) + 1;
        break; // regex
      case 0x13:
        i += 16;
        break; // decimal128
      default:
        return out; // unknown: stop, `ok` usually comes first anyway
    }
  }
  return out;
}

// ---------------------------------------------------------------- CLI

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {Record<string, string | boolean>} */
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const [k, v] = a.slice(2).split(/=(.*)/s, 2);
    if (['force', 'quiet'].includes(k)) opts[k] = v === undefined ? true : v !== 'false';
    else if (['port', 'data-dir', 'log-level'].includes(k)) {
      const val = v ?? argv[++i];
      if (val === undefined) throw new Error(`--${k} needs a value`);
      opts[k] = val;
    } else throw new Error(`unknown option --${k}`);
  }
  return opts;
}

const USAGE = `usage: node tools/devdb/devdb.mjs <command> [options]
  build  [--force]                      build .data/bin/devdb if missing or stale
  start  [--port N] [--data-dir DIR]    run in the foreground until Ctrl-C
         [--log-level debug|info|warn|error] [--quiet]
  stop   [--data-dir DIR]               stop a devdb running on DIR
  status [--data-dir DIR]               exit 0 if running, 1 if not
env: DEVDB_PORT (27018), DEVDB_DATA_DIR (<repo>/.data/devdb), DEVDB_LOG_LEVEL (error), DEVDB_GO (go)`;

/** @param {string[]} argv */
async function main(argv) {
  const [cmd, ...rest] = argv;
  const opts = parseArgs(rest);
  const dataDir =
    /** @type {string | undefined} */ (opts['data-dir']) ?? process.env.DEVDB_DATA_DIR ?? DEFAULT_DATA_DIR;

  switch (cmd) {
    case 'build': {
      const r = await ensureBuilt({ force: Boolean(opts.force) });
      if (!r.built) console.log(`devdb: ${BIN_PATH} is up to date`);
      return 0;
    }
    case 'start': {
      const st = await devdbStatus({ dataDir });
      if (st.running) {
        console.error(
          `devdb: already running (pid ${st.pid}) at ${st.uri}; stop it with \`node tools/devdb/devdb.mjs stop\``,
        );
        return 1;
      }
      const db = await startDevdb({
        port: opts.port !== undefined ? Number(opts.port) : envPort(),
        dataDir,
        quiet: Boolean(opts.quiet),
        logLevel:
          /** @type {string | undefined} */ (opts['log-level']) ?? process.env.DEVDB_LOG_LEVEL ?? 'error',
      });
      console.log(`devdb ready: ${db.uri}  (data: ${db.dataDir}; Ctrl-C to stop)`);
      let signalled = false;
      for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
        process.on(sig, () => {
          if (signalled) return;
          signalled = true;
          void db.stop();
        });
      }
      const code = await db.exited;
      if (!signalled && code !== 0) {
        console.error(`devdb: exited unexpectedly (code ${code})`);
        return 1;
      }
      if (!signalled) console.log('devdb: stopped from outside (`devdb.mjs stop`)');
      return 0;
    }
    case 'stop': {
      const stopped = await stopDevdb({ dataDir });
      console.log(stopped ? 'devdb: stopped' : 'devdb: not running');
      return 0;
    }
    case 'status': {
      const st = await devdbStatus({ dataDir });
      if (st.running) console.log(`devdb: running (pid ${st.pid}) at ${st.uri} (data: ${st.dataDir})`);
      else console.log(`devdb: not running (${st.problem}; data: ${st.dataDir})`);
      return st.running ? 0 : 1;
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      console.log(USAGE);
      return cmd ? 0 : 2;
    default:
      console.error(`devdb: unknown command ${cmd}\n${USAGE}`);
      return 2;
  }
}

const invokedDirectly = (() => {
  try {
    return (
      process.argv[1] !== undefined &&
      pathToFileURL(fs.realpathSync(process.argv[1])).href === import.meta.url
    );
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    },
  );
}
