import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { createLogger, type Logger, runUntilSignal } from '@attention-mesh/platform';
import { loadGatewayConfig } from '../config.js';
import { startGateway } from '../server.js';

/** A worker that dies within this long of its start is crashing, not failing once. */
const CRASH_WINDOW_MS = 60_000;
const MAX_CRASHES = 5;
const RESTART_DELAY_MS = 1_000;
/** How long the primary waits for its workers to finish their requests before it kills them. */
const STOP_GRACE_MS = 25_000;

/**
 * The gateway process: with GATEWAY_WORKERS=1 the gateway itself; otherwise a node cluster primary
 * that forks the workers (0: one per CPU), each a whole gateway sharing the port (the primary hands
 * out connections round-robin), replaces a worker that dies (giving up after five deaths in a
 * minute), and on SIGINT/SIGTERM lets each worker stop gracefully before it exits.
 */
export async function bootGateway(env: Record<string, string | undefined>): Promise<void> {
  const config = loadGatewayConfig(env);
  const count = config.workers === 0 ? availableParallelism() : config.workers;
  if (count === 1 || !cluster.isPrimary) {
    runUntilSignal(await startGateway(config));
    return;
  }
  runPrimary(count, createLogger({ service: 'gateway', ...config.log }));
}

function runPrimary(count: number, logger: Logger): void {
  let stopping = false;
  let exitCode = 0;
  const crashes: number[] = [];
  const fork = () => {
    const worker = cluster.fork();
    worker.on('exit', (code, signal) => onExit(worker, code, signal));
  };
  const onExit = (worker: Worker, code: number | null, signal: string | null) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
      return;
    }
    const now = Date.now();
    crashes.push(now);
    while (crashes.length && (crashes[0] ?? 0) < now - CRASH_WINDOW_MS) crashes.shift();
    logger.error({ worker: worker.process.pid, code, signal }, 'gateway worker died');
    if (crashes.length >= MAX_CRASHES) {
      logger.error({ crashes: crashes.length }, 'gateway workers keep dying: stopping');
      stop(1);
      return;
    }
    setTimeout(fork, RESTART_DELAY_MS).unref();
  };
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    if (workers.length === 0) process.exit(exitCode);
    // Each worker stops as a lone gateway would on SIGTERM: it finishes its requests, then exits.
    for (const w of workers) w.process.kill('SIGTERM');
    setTimeout(() => process.exit(exitCode || 1), STOP_GRACE_MS).unref();
  };
  // A terminal's Ctrl-C reaches the workers too; they stop on it themselves, the primary waits for them.
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  for (let i = 0; i < count; i++) fork();
  logger.info({ workers: count }, 'gateway primary: workers share the port');
}
