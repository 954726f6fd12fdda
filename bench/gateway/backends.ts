/**
 * The two back ends of the gateway benchmark: the five lean in-memory subgraphs (`leanSubgraph.ts`),
 * or the mesh's real subgraphs on a private embedded database.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { startDatabase } from '../shared/database.js';
import { REPO_ROOT } from '../shared/repo.js';
import {
  freePort,
  SUBGRAPHS,
  type SubgraphName,
  startSubgraphs,
  stopChild,
  waitReady,
} from '../shared/subgraphs.js';

export type BackendKey = 'lean' | 'real';

export interface Backend {
  key: BackendKey;
  urls: Record<SubgraphName, string>;
  pids: Record<SubgraphName, number>;
  /** The embedded database's process (real back end on the embedded database only). */
  databasePid?: number;
  databaseKind?: string;
  /** For the real back end, the database the subgraphs' event bus shares (the gateway's MONGODB_URI). */
  mongoUri?: string;
  stop(): Promise<void>;
}

async function startLean(): Promise<Backend> {
  const children: ChildProcess[] = [];
  const urls = {} as Record<SubgraphName, string>;
  const pids = {} as Record<SubgraphName, number>;
  const ready: Promise<void>[] = [];
  for (const name of SUBGRAPHS) {
    const port = await freePort();
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bench', 'dist', 'gateway', 'leanSubgraph.js')], {
      cwd: REPO_ROOT,
      env: { ...process.env, BENCH_LEAN_SUBGRAPH: name, PORT: String(port) },
      stdio: ['ignore', 2, 2],
    });
    children.push(child);
    urls[name] = `http://127.0.0.1:${port}/graphql`;
    pids[name] = child.pid ?? 0;
    ready.push(waitReady(`lean ${name}`, `http://127.0.0.1:${port}/readyz`, child));
  }
  const stop = async () => {
    await Promise.all(children.map(stopChild));
  };
  try {
    await Promise.all(ready);
  } catch (err) {
    await stop();
    throw err;
  }
  return { key: 'lean', urls, pids, stop };
}

async function startReal(internalSecret: string): Promise<Backend> {
  if (process.env.MONGODB_URI) delete process.env.MONGODB_URI;
  const db = await startDatabase('gateway');
  try {
    const subgraphs = await startSubgraphs(db.uri, {
      dbPrefix: 'bench_gateway',
      env: { MESH_INTERNAL_SECRET: internalSecret },
      timeoutMs: 180_000,
    });
    return {
      key: 'real',
      urls: subgraphs.urls,
      pids: subgraphs.pids,
      ...(db.pid ? { databasePid: db.pid } : {}),
      databaseKind: db.kind,
      mongoUri: db.uri,
      stop: async () => {
        await subgraphs.stop();
        await db.stop();
      },
    };
  } catch (err) {
    await db.stop();
    throw err;
  }
}

/** Starts one back end; the real subgraphs trust contexts signed with `internalSecret`. */
export function startBackend(key: BackendKey, internalSecret: string): Promise<Backend> {
  return key === 'lean' ? startLean() : startReal(internalSecret);
}
