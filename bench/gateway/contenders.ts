/**
 * The three gateways of the gateway benchmark, each in its own process on the same supergraph file and
 * worker count: this gateway (`gateway/dist/index.js`) in its production configuration, Hive Gateway
 * (`hive-gateway supergraph`) and plain @apollo/gateway + @apollo/server (`plainApollo.ts`).
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../shared/repo.js';
import { freePort, type SubgraphName, stopTree, waitReady } from '../shared/subgraphs.js';
import type { FetchReply } from './plainApollo.js';

export type ContenderKey = 'mesh' | 'hive' | 'apollo';
export const CONTENDERS: readonly ContenderKey[] = ['mesh', 'hive', 'apollo'];
export const CONTENDER_LABELS: Record<ContenderKey, string> = {
  mesh: 'this gateway',
  hive: 'Hive Gateway',
  apollo: 'plain @apollo/gateway',
};

export interface Contender {
  key: ContenderKey;
  url: string;
  pid: number;
  /** The headers a request to this gateway carries (its credentials). */
  headers: Record<string, string>;
  /** Subgraph call latencies since the last call (plain Apollo with one worker only). */
  fetches?(): Promise<Record<string, number[]>>;
  stop(): Promise<void>;
}

/** schema/supergraph.graphql with the subgraph URLs of this run, written to `file`. */
export function writeSupergraph(file: string, urls: Record<SubgraphName, string>): void {
  let sdl = readFileSync(join(REPO_ROOT, 'schema', 'supergraph.graphql'), 'utf8');
  for (const [name, url] of Object.entries(urls))
    sdl = sdl.replace(new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*(")`), `$1${url}$2`);
  writeFileSync(file, sdl);
}

export interface ContenderOptions {
  supergraphFile: string;
  workers: number;
  /** The environment of this gateway beside its port (production settings, secrets, JWKS). */
  meshEnv: Record<string, string>;
  meshHeaders: Record<string, string>;
  /** Headers of Hive's and plain Apollo's requests: the signed internal context they forward. */
  forwardedHeaders: Record<string, string>;
}

const PROBE = JSON.stringify({ query: '{ __typename }' });

async function ready(key: ContenderKey, child: ChildProcess, url: string, headers: Record<string, string>) {
  try {
    await waitReady(CONTENDER_LABELS[key], url, child, {
      timeoutMs: 180_000,
      init: { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: PROBE },
    });
  } catch (err) {
    await stopTree(child);
    throw err;
  }
}

function common(workers: number): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    NODE_ENV: 'production',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    HOST: '127.0.0.1',
    BENCH_WORKERS: String(workers),
  };
}

async function startMesh(opts: ContenderOptions): Promise<Contender> {
  const port = await freePort();
  // BENCH_MESH_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles this gateway (Node refuses
  // --cpu-prof in NODE_OPTIONS).
  const nodeArgs = (process.env.BENCH_MESH_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(REPO_ROOT, 'gateway', 'dist', 'index.js')], {
    cwd: REPO_ROOT,
    env: {
      ...common(opts.workers),
      ...opts.meshEnv,
      PORT: String(port),
      SUPERGRAPH_PATH: opts.supergraphFile,
      WATCH_SUPERGRAPH: 'false',
      GATEWAY_WORKERS: String(opts.workers),
    },
    stdio: ['ignore', 2, 2],
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  await ready('mesh', child, url, opts.meshHeaders);
  return { key: 'mesh', url, pid: child.pid ?? 0, headers: opts.meshHeaders, stop: () => stopTree(child) };
}

async function startHive(opts: ContenderOptions): Promise<Contender> {
  const port = await freePort();
  const bin = join(REPO_ROOT, 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js');
  const child = spawn(
    process.execPath,
    [
      bin,
      'supergraph',
      opts.supergraphFile,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--fork',
      String(opts.workers),
      '--config-path',
      join(REPO_ROOT, 'bench', 'dist', 'gateway', 'hiveConfig.js'),
    ],
    { cwd: REPO_ROOT, env: common(opts.workers), stdio: ['ignore', 2, 2] },
  );
  const url = `http://127.0.0.1:${port}/graphql`;
  await ready('hive', child, url, opts.forwardedHeaders);
  return {
    key: 'hive',
    url,
    pid: child.pid ?? 0,
    headers: opts.forwardedHeaders,
    stop: () => stopTree(child),
  };
}

async function startApollo(opts: ContenderOptions): Promise<Contender> {
  const port = await freePort();
  const child = fork(join(REPO_ROOT, 'bench', 'dist', 'gateway', 'plainApollo.js'), [], {
    cwd: REPO_ROOT,
    env: { ...common(opts.workers), PORT: String(port), BENCH_SUPERGRAPH: opts.supergraphFile },
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  await ready('apollo', child, url, opts.forwardedHeaders);
  let nextId = 0;
  const pending = new Map<number, (reply: FetchReply) => void>();
  child.on('message', (reply: FetchReply) => pending.get(reply.id)?.(reply));
  const fetches =
    opts.workers === 1
      ? () =>
          new Promise<Record<string, number[]>>((resolve) => {
            const id = ++nextId;
            pending.set(id, (reply) => {
              pending.delete(id);
              resolve(reply.latenciesMs);
            });
            child.send({ type: 'fetches', id });
          })
      : undefined;
  return {
    key: 'apollo',
    url,
    pid: child.pid ?? 0,
    headers: opts.forwardedHeaders,
    ...(fetches ? { fetches } : {}),
    stop: () => stopTree(child),
  };
}

/** The three gateways, started side by side; if one fails, the others are stopped. */
export async function startContenders(opts: ContenderOptions): Promise<Record<ContenderKey, Contender>> {
  const starts = await Promise.allSettled([startMesh(opts), startHive(opts), startApollo(opts)]);
  const failed = starts.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(starts.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    throw failed.reason;
  }
  const [mesh, hive, apollo] = starts.map((s) => (s as PromiseFulfilledResult<Contender>).value) as [
    Contender,
    Contender,
    Contender,
  ];
  return { mesh, hive, apollo };
}
