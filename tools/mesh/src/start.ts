import { fileURLToPath } from 'node:url';
import type { ServiceName } from '@attention-mesh/platform';
import { createDemoApiKey, demoCallers } from './demoAccess.js';
import { demoWorld } from './demoWorld.js';
import { meshPorts } from './meshPorts.js';
import { readyBanner } from './readyBanner.js';
import { seedIfEmpty } from './seed.js';
import { Supervisor } from './supervisor.js';

/**
 * `npm start`: the whole mesh on one machine. Starts the embedded database (unless MONGODB_URI points
 * at a real MongoDB), the five subgraphs and the gateway as separate processes, waits until each is
 * ready, seeds the demo world into an empty database (as an admin) and prints the gateway URL with
 * ready-made development tokens and a fresh demo publisher API key. The gateway gets no JWT_SECRET:
 * it verifies with the development secret these tokens are signed with. A service that exits is
 * restarted with backoff while the others keep serving (`supervisor.ts`); Ctrl-C or SIGTERM stops
 * everything, gateway first, database last, and so does a service that crashed 5 times in a minute.
 * MESH_PORT_BASE moves the ports (gateway on the base, the subgraphs on the next five).
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

let devdb: { stop(): Promise<void> } | undefined;

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

const supervisor = new Supervisor({
  log: (line) => console.error(`\x1b[1m${'mesh'.padEnd(14)}\x1b[0m ${line}`),
  onGiveUp: () => void shutdown(1),
});

function launch(name: ServiceName, entry: string, env: Record<string, string>): void {
  supervisor.start({
    name,
    args: [entry],
    cwd: ROOT,
    env: { ...SERVICE_ENV, NODE_ENV: process.env.NODE_ENV ?? 'development', ...env },
    attach: (child) => {
      prefixed(name, child.stdout, process.stdout);
      prefixed(name, child.stderr, process.stderr);
    },
  });
}

async function waitReady(name: string, port: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (supervisor.stopped) throw new Error('stopping');
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

let exiting = false;

async function shutdown(code: number): Promise<void> {
  if (exiting) return;
  exiting = true;
  console.log('\nstopping the mesh…');
  // Gateway first, so no request is sent to a subgraph that is already gone.
  await supervisor.stop(['gateway']);
  await devdb?.stop();
  console.log('stopped');
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
  process.on('exit', () => supervisor.killAll());
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  const started = Date.now();

  const given = process.env.MONGODB_URI;
  if (given) console.log(`using MongoDB at ${given.replace(/\/\/[^@]*@/, '//***@')}`);
  const mongoUri = given ?? (await startEmbeddedDatabase());

  const ports = meshPorts(process.env.MESH_PORT_BASE);
  for (const name of SUBGRAPHS)
    launch(name, `subgraphs/${name}/dist/index.js`, { MONGODB_URI: mongoUri, PORT: String(ports[name]) });
  await Promise.all(SUBGRAPHS.map((name) => waitReady(name, ports[name])));
  launch('gateway', 'gateway/dist/index.js', {
    PORT: String(ports.gateway),
    ...Object.fromEntries(
      SUBGRAPHS.map((name) => [
        `SUBGRAPH_${name.toUpperCase()}_URL`,
        `http://127.0.0.1:${ports[name]}/graphql`,
      ]),
    ),
  });
  await waitReady('gateway', ports.gateway);
  const url = `http://localhost:${ports.gateway}/graphql`;

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
