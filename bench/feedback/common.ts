/**
 * What both feedback benchmarks share: the five subgraphs in child processes on a private embedded
 * database (one shared event bus, so every consumer of the loop runs: ads, recommendation, attention),
 * a gateway in this process with budgets it never exhausts, the demo world, and a GraphQL client.
 * The child-process start is the one of bench/gateway/protection.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { type RunningGateway, startGateway } from '@attention-mesh/gateway';
import { seedIfEmpty, signDevelopmentToken } from '@attention-mesh/mesh';
import mongoose, { type Connection } from 'mongoose';
import { type BenchDatabase, startDatabase } from '../shared/database.js';
import { progress, stderrLogger } from '../shared/output.js';
import { importFromRepo, REPO_ROOT } from '../shared/repo.js';
import { freePort, SUBGRAPHS, waitReady } from '../shared/subgraphs.js';

/** The database each child subgraph uses: `bench_feedback_<name>`. */
export const dbOf = (name: (typeof SUBGRAPHS)[number]) => `bench_feedback_${name}`;

export interface BenchMesh {
  db: BenchDatabase;
  gateway: RunningGateway;
  /** A driver connection to the same database server (raw inserts, checks). */
  conn: Connection;
  adminHeaders: Record<string, string>;
  /** Child process ids by subgraph (for their CPU). */
  pids: Record<string, number>;
  stop(): Promise<void>;
}

/** Starts the database, the five subgraphs (env added to theirs), the gateway, and seeds the demo world. */
export async function startBenchMesh(name: string, env: Record<string, string> = {}): Promise<BenchMesh> {
  if (process.env.MONGODB_URI) {
    progress('MONGODB_URI is ignored: this benchmark runs on a private embedded database');
    delete process.env.MONGODB_URI;
  }
  const db = await startDatabase(name);
  const children: ChildProcess[] = [];
  const killAll = () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  };
  process.on('exit', killAll);
  const urls: Record<string, string> = {};
  const pids: Record<string, number> = {};
  const ready: Promise<void>[] = [];
  progress('starting the five subgraphs in child processes');
  for (const sub of SUBGRAPHS) {
    const port = await freePort();
    const child = spawn(process.execPath, [join(REPO_ROOT, 'subgraphs', sub, 'dist', 'index.js')], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...env,
        NODE_ENV: 'test',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
        HOST: '127.0.0.1',
        PORT: String(port),
        MONGODB_URI: db.uri,
        MONGODB_DB: dbOf(sub),
      },
      stdio: ['ignore', 2, 2],
    });
    children.push(child);
    if (child.pid) pids[sub] = child.pid;
    urls[sub] = `http://127.0.0.1:${port}/graphql`;
    ready.push(
      waitReady(`${sub} subgraph`, `http://127.0.0.1:${port}/readyz`, child, { timeoutMs: 180_000 }),
    );
  }
  await Promise.all(ready);
  const { loadGatewayConfig } =
    await importFromRepo<typeof import('../../gateway/dist/config.js')>('gateway/dist/config.js');
  const budget = '1000000000';
  const gateway = await startGateway(
    loadGatewayConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      HOST: '127.0.0.1',
      PORT: '0',
      WATCH_SUPERGRAPH: 'false',
      RATE_LIMIT_ENABLED: 'false',
      RATE_LIMIT_PERSON_REQUESTS: budget,
      RATE_LIMIT_PERSON_COST: budget,
      ...Object.fromEntries(SUBGRAPHS.map((n) => [`SUBGRAPH_${n.toUpperCase()}_URL`, urls[n]!])),
    }),
    { logger: stderrLogger('gateway') },
  );
  const token = await signDevelopmentToken({ sub: 'usr-bench-admin', scope: 'admin', ttl: '12h' });
  const adminHeaders = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const t = Date.now();
  await seedIfEmpty(gateway.url, undefined, { headers: { authorization: adminHeaders.authorization } });
  progress(`gateway at ${gateway.url}; demo world seeded in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const conn = await mongoose.createConnection(db.uri).asPromise();
  return {
    db,
    gateway,
    conn,
    adminHeaders,
    pids,
    stop: async () => {
      await conn.close();
      await gateway.stop();
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              c.once('exit', () => resolve());
              c.kill('SIGTERM');
            }),
        ),
      );
      process.off('exit', killAll);
      await db.stop();
    },
  };
}

/** Bearer headers of a person. */
export async function personHeaders(userId: string): Promise<Record<string, string>> {
  const token = await signDevelopmentToken({ sub: userId, ttl: '12h' });
  return { 'content-type': 'application/json', authorization: `Bearer ${token}` };
}

/** POSTs a GraphQL request; throws on an HTTP error or any GraphQL error. */
export async function post<T>(
  url: string,
  query: string,
  variables: unknown,
  headers: Record<string, string>,
) {
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const text = await res.text();
  const parsed = JSON.parse(text) as {
    data?: T;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  if (res.status !== 200 || parsed.errors?.length) {
    const first = parsed.errors?.[0];
    throw new Error(
      `HTTP ${res.status}: ${first ? `${first.extensions?.code ?? ''} ${first.message}` : text.slice(0, 300)}`,
    );
  }
  return parsed.data as T;
}

/** CPU seconds (user + system) of a process by pid, from /proc (Linux); NaN elsewhere. */
export async function cpuSecondsOf(pid: number | undefined): Promise<number> {
  if (!pid) return Number.NaN;
  try {
    const { readFileSync } = await import('node:fs');
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}
