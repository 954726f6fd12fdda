/**
 * What an idle mesh costs with each event bus adapter: the five subgraphs in child processes with the
 * demo world seeded, then `--seconds` (default 60) with nothing sent; the CPU time of every subgraph
 * process, of the embedded database and of nats-server over that window, as % of one core (read from
 * /proc/<pid>/stat). The mongo adapter polls the log by exact `_id`; the NATS adapter holds pull
 * requests on the server. Progress on stderr, the table on stdout, bench/results/idle-mesh.json.
 * Reference: issue 14 measured about 15 % of a core for the idle mesh with the previous mongo outbox
 * (a filtered `find` by `_id` range per poll, which the embedded database answers by reading the whole
 * events collection).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startGateway } from '@attention-mesh/gateway';
import { seedIfEmpty, signDevelopmentToken } from '@attention-mesh/mesh';
import { numericArgs } from '../shared/args.js';
import { startDatabase } from '../shared/database.js';
import { progress, round, stderrLogger, table } from '../shared/output.js';
import { importFromRepo, REPO_ROOT, writeResults } from '../shared/repo.js';
import { freePort, SUBGRAPHS, stopChild, waitReady } from '../shared/subgraphs.js';

const ADAPTERS = ['mongo', 'nats'] as const;
type Adapter = (typeof ADAPTERS)[number];
const TARGET_PCT = 2;

const args = numericArgs(
  'npm run bench:idle-mesh -- [flags]\n\n' +
    'CPU of an idle mesh (five subgraphs in child processes, demo world seeded, nothing sent) with the\n' +
    'mongo and the NATS event bus, as % of one core; target under 2 % for the mongo adapter.',
  { seconds: 60, settle: 10 },
  {
    seconds: 'idle seconds measured per adapter',
    settle: 'seconds left to pass after seeding before measuring (consumers catch up, JIT)',
  },
);
if (args.seconds < 1) throw new Error('--seconds must be at least 1');

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

interface Row {
  adapter: Adapter;
  seconds: number;
  subgraphsPct: Record<string, number>;
  subgraphsTotalPct: number;
  databasePct: number | null;
  natsPct: number | null;
  totalPct: number;
}

async function measure(adapter: Adapter): Promise<Row> {
  const db = await startDatabase(`idle-${adapter}`);
  const { startNatsServer } = await importFromRepo<
    typeof import('../../packages/testkit/dist/natsServer.js')
  >('packages/testkit/dist/natsServer.js');
  const nats = adapter === 'nats' ? await startNatsServer() : undefined;
  const children = new Map<string, ChildProcess>();
  const killAll = () => {
    for (const c of children.values()) if (c.exitCode === null) c.kill('SIGTERM');
  };
  process.on('exit', killAll);
  try {
    const urls: Record<string, string> = {};
    const ready: Promise<void>[] = [];
    for (const name of SUBGRAPHS) {
      const port = await freePort();
      const child = spawn(process.execPath, [join(REPO_ROOT, 'subgraphs', name, 'dist', 'index.js')], {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          NODE_ENV: 'test',
          LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
          HOST: '127.0.0.1',
          PORT: String(port),
          MONGODB_URI: db.uri,
          MONGODB_DB: `bench_idle_${name}`,
          EVENT_BUS: adapter,
          EVENT_BUS_DB: 'bench_idle_bus',
          ...(nats ? { NATS_URL: nats.url, NATS_STREAM: 'mesh' } : {}),
        },
        stdio: ['ignore', 2, 2],
      });
      children.set(name, child);
      urls[name] = `http://127.0.0.1:${port}/graphql`;
      ready.push(waitReady(`${name} subgraph`, `http://127.0.0.1:${port}/readyz`, child));
    }
    await Promise.all(ready);
    progress(`${adapter}: five subgraphs up`);
    const { loadGatewayConfig } =
      await importFromRepo<typeof import('../../gateway/dist/config.js')>('gateway/dist/config.js');
    const gateway = await startGateway(
      loadGatewayConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
        HOST: '127.0.0.1',
        PORT: '0',
        WATCH_SUPERGRAPH: 'false',
        ...Object.fromEntries(SUBGRAPHS.map((n) => [`SUBGRAPH_${n.toUpperCase()}_URL`, urls[n]!])),
      }),
      { logger: stderrLogger('gateway') },
    );
    try {
      const token = await signDevelopmentToken({ sub: 'usr-bench-admin', scope: 'admin', ttl: '1h' });
      const t = Date.now();
      await seedIfEmpty(gateway.url, undefined, { headers: { authorization: `Bearer ${token}` } });
      progress(`${adapter}: demo world seeded in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    } finally {
      // Not part of the idle mesh: the gateway runs in this process and is not measured.
      await gateway.stop();
    }
    progress(`${adapter}: settling ${args.settle} s`);
    await new Promise((r) => setTimeout(r, args.settle * 1000));

    const pids = new Map<string, number>([...children].map(([n, c]) => [n, c.pid!]));
    if (db.pid) pids.set('database', db.pid);
    if (nats) pids.set('nats', nats.pid);
    const before = new Map([...pids].map(([n, pid]) => [n, cpuSeconds(pid)]));
    const t0 = performance.now();
    for (let s = 0; s < args.seconds; s += 10) {
      await new Promise((r) => setTimeout(r, Math.min(10, args.seconds - s) * 1000));
      progress(`${adapter}: idle ${Math.min(s + 10, args.seconds)}/${args.seconds} s`);
    }
    const wall = (performance.now() - t0) / 1000;
    const pct = (name: string) => round(((cpuSeconds(pids.get(name)!) - before.get(name)!) / wall) * 100, 2);
    const subgraphsPct = Object.fromEntries(SUBGRAPHS.map((n) => [n, pct(n)]));
    const subgraphsTotalPct = round(
      Object.values(subgraphsPct).reduce((a, b) => a + b, 0),
      2,
    );
    const databasePct = db.pid ? pct('database') : null;
    const natsPct = nats ? pct('nats') : null;
    return {
      adapter,
      seconds: round(wall, 1),
      subgraphsPct,
      subgraphsTotalPct,
      databasePct,
      natsPct,
      totalPct: round(subgraphsTotalPct + (databasePct ?? 0) + (natsPct ?? 0), 2),
    };
  } finally {
    await Promise.all([...children.values()].map(stopChild));
    process.off('exit', killAll);
    await nats?.stop();
    await db.stop();
  }
}

async function main(): Promise<void> {
  const loadStart = loadavg();
  if (process.env.MONGODB_URI) {
    progress('MONGODB_URI is ignored: this benchmark runs on a private embedded database per adapter');
    delete process.env.MONGODB_URI;
  }
  const rows: Row[] = [];
  for (const adapter of ADAPTERS) rows.push(await measure(adapter));
  const cell = (n: number | null) => (n === null ? '-' : n.toFixed(2));
  process.stdout.write(
    `\nIdle mesh CPU, % of one core over ${args.seconds} s (five subgraphs, demo world, nothing sent)\n\n`,
  );
  process.stdout.write(
    `${table(
      ['adapter', ...SUBGRAPHS, 'subgraphs', 'database', 'nats-server', 'total', `target < ${TARGET_PCT}`],
      rows.map((r) => [
        r.adapter,
        ...SUBGRAPHS.map((n) => cell(r.subgraphsPct[n]!)),
        cell(r.subgraphsTotalPct),
        cell(r.databasePct),
        cell(r.natsPct),
        cell(r.totalPct),
        r.totalPct < TARGET_PCT ? 'yes' : 'no',
      ]),
    )}\n`,
  );
  process.stdout.write(
    '\nReference: issue 14 measured about 15 % of a core for the idle mesh with the previous mongo outbox.\n',
  );
  const file = writeResults('idle-mesh.json', {
    benchmark: 'idle-mesh',
    at: new Date().toISOString(),
    seconds: args.seconds,
    settleSeconds: args.settle,
    loadavgStart: loadStart,
    loadavgEnd: loadavg(),
    targetPct: TARGET_PCT,
    reference: { previousMongoOutboxPct: 15, source: 'issue 14 (measured before this change)' },
    rows,
  });
  progress(`results in ${file}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
