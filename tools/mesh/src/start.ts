import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PORTS, type ServiceName } from '@attention-mesh/platform';
import { createDemoApiKey, demoCallers } from './demoAccess.js';
import { demoWorld } from './demoWorld.js';
import { readyBanner } from './readyBanner.js';
import { seedIfEmpty } from './seed.js';

/**
 * `npm start`: the whole mesh on one machine. Starts the embedded database (unless MONGODB_URI points
 * at a real MongoDB), the five subgraphs and the gateway as separate processes, waits until each is
 * ready, seeds the demo world into an empty database (as an admin) and prints the gateway URL with
 * ready-made development tokens and a fresh demo publisher API key. The gateway gets no JWT_SECRET:
 * it verifies with the development secret these tokens are signed with. Ctrl-C stops everything,
 * gateway first, database last.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SUBGRAPHS = [
  'users',
  'attention',
  'recommendation',
  'ads',
  'feedback',
] as const satisfies ServiceName[];
const COLOURS = { users: 36, attention: 35, recommendation: 33, ads: 32, feedback: 34, gateway: 37 } as const;

const children: { name: ServiceName; child: ChildProcess }[] = [];
let devdb: { stop(): Promise<void> } | undefined;
let stopping = false;

function prefixed(name: ServiceName, stream: NodeJS.ReadableStream | null, out: NodeJS.WriteStream) {
  let buffered = '';
  stream?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) out.write(`\x1b[${COLOURS[name]}m${name.padEnd(14)}\x1b[0m ${line}\n`);
  });
}

// No JWT_SECRET for the services: the printed tokens are signed with the development secret, which
// is the gateway's default.
const { JWT_SECRET: _devDefault, ...SERVICE_ENV } = process.env;

function launch(name: ServiceName, entry: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [entry], {
    cwd: ROOT,
    env: { ...SERVICE_ENV, NODE_ENV: process.env.NODE_ENV ?? 'development', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a terminal's Ctrl-C reaches only the launcher, which stops the services
    // in order (gateway first, so no request is sent to a subgraph that is already gone).
    detached: true,
  });
  prefixed(name, child.stdout, process.stdout);
  prefixed(name, child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); stopping the mesh`);
      void shutdown(1);
    }
  });
  children.push({ name, child });
  return child;
}

async function waitReady(name: string, port: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) throw new Error('stopping');
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} was not ready on port ${port} after ${timeoutMs / 1000} s`);
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log('\nstopping the mesh…');
    const gateway = children.filter((c) => c.name === 'gateway');
    await Promise.all(gateway.map((c) => stopChild(c.child)));
    await Promise.all(children.filter((c) => c.name !== 'gateway').map((c) => stopChild(c.child)));
    await devdb?.stop();
    console.log('stopped');
  }
  process.exit(code);
}

async function startEmbeddedDatabase(): Promise<string> {
  const { startDevdb } = await import('../../devdb/devdb.mjs');
  const db = await startDevdb({ quiet: true });
  devdb = db;
  console.log(`embedded database ready at ${db.uri} (data in .data/devdb)`);
  return db.uri;
}

async function main(): Promise<void> {
  // Whatever ends the launcher, no service outlives it.
  process.on('exit', () => {
    for (const { child } of children) if (child.exitCode === null) child.kill('SIGKILL');
  });
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  const started = Date.now();

  const given = process.env.MONGODB_URI;
  if (given) console.log(`using MongoDB at ${given.replace(/\/\/[^@]*@/, '//***@')}`);
  const mongoUri = given ?? (await startEmbeddedDatabase());

  for (const name of SUBGRAPHS) launch(name, `subgraphs/${name}/dist/index.js`, { MONGODB_URI: mongoUri });
  await Promise.all(SUBGRAPHS.map((name) => waitReady(name, DEFAULT_PORTS[name])));
  launch('gateway', 'gateway/dist/index.js', {});
  await waitReady('gateway', DEFAULT_PORTS.gateway);
  const url = `http://localhost:${DEFAULT_PORTS.gateway}/graphql`;

  const callers = await demoCallers(demoWorld().advertisers[0]!.id as string);
  const admin = callers.find((c) => c.name === 'ADMIN')!.token;
  if (process.env.SEED !== 'false') {
    const t = Date.now();
    const seeded = await seedIfEmpty(url, (line) => console.log(line), {
      headers: { authorization: `Bearer ${admin}` },
    });
    console.log(
      seeded
        ? `demo world seeded in ${((Date.now() - t) / 1000).toFixed(1)} s`
        : 'database already has data: not seeding',
    );
  }
  const apiKey = await createDemoApiKey(url, admin);
  console.log(readyBanner({ url, seconds: (Date.now() - started) / 1000, callers, apiKey }));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  void shutdown(1);
});
