/**
 * A gateway in its own process (`gatewayProcess.ts`, forked with an IPC channel), for the benchmarks that
 * read a gateway's CPU apart from the client's: the protection benchmark and `bench:ads-subgraph --via
 * gateway`.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../shared/repo.js';
import type { CpuReply, GatewayMessage } from './gatewayProcess.js';

export interface GatewayProcess {
  url: string;
  /** The process's CPU so far (µs, user + system) and its resident and heap bytes. */
  usage(): Promise<{ cpuUs: number; rss: number; heapUsed: number }>;
  stop(): Promise<void>;
}

/** Starts a gateway with `env` as its whole configuration, leaving out the plugins named in `without`. */
export async function forkGateway(
  label: string,
  env: Record<string, string>,
  without: readonly string[] = [],
): Promise<GatewayProcess> {
  const child = fork(join(REPO_ROOT, 'bench', 'dist', 'gateway', 'gatewayProcess.js'), [], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      BENCH_GATEWAY_ENV: JSON.stringify(env),
      BENCH_GATEWAY_WITHOUT: without.join(','),
      BENCH_GATEWAY_LABEL: label,
    },
    // BENCH_GATEWAY_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the gateways.
    execArgv: (process.env.BENCH_GATEWAY_NODE_OPTIONS ?? '').split(' ').filter(Boolean),
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  const pending = new Map<number, (reply: CpuReply) => void>();
  let nextId = 0;
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`gateway ${label} exited with code ${code}`)));
    child.on('message', (message: GatewayMessage) => {
      if (message.type === 'ready') resolve(message.url);
      else pending.get(message.id)?.(message);
    });
  });
  child.removeAllListeners('exit');
  return {
    url,
    usage: () =>
      new Promise((resolve) => {
        const id = ++nextId;
        pending.set(id, (reply) => {
          pending.delete(id);
          resolve({ cpuUs: reply.user + reply.system, rss: reply.rss, heapUsed: reply.heapUsed });
        });
        child.send({ type: 'cpu', id });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  };
}
