/**
 * Services of the benchmarks in child processes: a free port, readiness polling, and the mesh's five
 * subgraphs (`node subgraphs/<name>/dist/index.js`) on a given database, their logs on stderr so that
 * stdout carries the tables only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { descendantsOf } from './procStat.js';
import { REPO_ROOT } from './repo.js';

export const SUBGRAPHS = ['users', 'attention', 'recommendation', 'ads', 'feedback'] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number];

/** A port nothing listens on now (the OS's pick, closed again). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** Polls `url` (GET, or `init`) until it answers 2xx; fails early when `child` exits. */
export async function waitReady(
  name: string,
  url: string,
  child: ChildProcess,
  opts: { timeoutMs?: number; init?: RequestInit } = {},
): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${name} exited with ${child.exitCode ?? child.signalCode}`);
    try {
      const res = await fetch(url, { ...opts.init, signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} not ready after ${timeoutMs / 1000} s`);
}

/** Stops a child with SIGTERM and waits for it to exit. */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * Stops a child and the processes under it (cluster workers, which may wait for idle keep-alive
 * clients before they exit): SIGTERM to all, SIGKILL to those left after `graceMs`.
 */
export async function stopTree(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const pids = child.pid ? descendantsOf(child.pid) : [];
  const signal = (name: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, name);
      } catch {
        // already gone
      }
    }
  };
  const exited = stopChild(child);
  signal('SIGTERM');
  const timer = setTimeout(() => {
    signal('SIGKILL');
    child.kill('SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
  signal('SIGKILL');
}

export interface Subgraphs {
  urls: Record<SubgraphName, string>;
  /** Each subgraph's process id (for its CPU time). */
  pids: Record<SubgraphName, number>;
  stop(): Promise<void>;
}

export interface SubgraphOptions {
  /** Each subgraph's database is `<dbPrefix>_<name>`. */
  dbPrefix: string;
  /** More environment for every subgraph (e.g. MESH_INTERNAL_SECRET). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** The mesh's five subgraphs in child processes on `mongoUri`, each on a free port, once all are ready. */
export async function startSubgraphs(mongoUri: string, opts: SubgraphOptions): Promise<Subgraphs> {
  const children: ChildProcess[] = [];
  const killAll = () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  };
  process.on('exit', killAll);
  const urls = {} as Record<SubgraphName, string>;
  const pids = {} as Record<SubgraphName, number>;
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
        MONGODB_URI: mongoUri,
        MONGODB_DB: `${opts.dbPrefix}_${name}`,
        ...opts.env,
      },
      stdio: ['ignore', 2, 2],
    });
    children.push(child);
    urls[name] = `http://127.0.0.1:${port}/graphql`;
    pids[name] = child.pid ?? 0;
    ready.push(
      waitReady(`${name} subgraph`, `http://127.0.0.1:${port}/readyz`, child, {
        timeoutMs: opts.timeoutMs ?? 120_000,
      }),
    );
  }
  try {
    await Promise.all(ready);
  } catch (err) {
    killAll();
    throw err;
  }
  return {
    urls,
    pids,
    stop: async () => {
      await Promise.all(children.map(stopChild));
      process.off('exit', killAll);
    },
  };
}
