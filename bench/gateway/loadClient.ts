/** The parent's side of the load generator (`loadGenerator.ts`, forked once per benchmark run). */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../shared/repo.js';
import type { LoadReply, LoadRequest } from './loadGenerator.js';

export interface LoadClient {
  run(request: Omit<LoadRequest, 'type' | 'id'>): Promise<LoadReply>;
  /** The load generator's process (its CPU is not any gateway's). */
  pid: number;
  stop(): Promise<void>;
}

export function startLoadClient(): LoadClient {
  const child = fork(join(REPO_ROOT, 'bench', 'dist', 'gateway', 'loadGenerator.js'), [], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  const pending = new Map<number, (reply: LoadReply) => void>();
  let nextId = 0;
  child.on('message', (reply: LoadReply) => pending.get(reply.id)?.(reply));
  child.once('exit', (code) => {
    for (const [, resolve] of pending)
      resolve({
        type: 'load',
        id: 0,
        ok: 0,
        errors: 1,
        firstError: `load generator exited (${code})`,
        elapsedMs: 0,
        latenciesMs: [],
      });
  });
  return {
    pid: child.pid ?? 0,
    run: (request) =>
      new Promise<LoadReply>((resolve) => {
        const id = ++nextId;
        pending.set(id, (reply) => {
          pending.delete(id);
          resolve(reply);
        });
        child.send({ ...request, type: 'load', id } satisfies LoadRequest);
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  };
}
