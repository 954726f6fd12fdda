import { loadConfig } from './config.js';
import type { Logger } from './logger.js';
import { type SubgraphDefinition, startSubgraph } from './subgraph.js';

/**
 * Runs a started service until SIGINT/SIGTERM, then stops it gracefully. Another signal more than two
 * seconds later (a second Ctrl-C), or 20 s without finishing, forces the exit; one arriving at once
 * (a terminal's Ctrl-C and a supervisor's SIGTERM together) is the same request.
 */
export function runUntilSignal(service: { stop(): Promise<void>; logger: Logger }): void {
  let stoppingSince = 0;
  const shutdown = (signal: string) => {
    if (stoppingSince) {
      if (Date.now() - stoppingSince > 2_000) process.exit(1);
      return;
    }
    stoppingSince = Date.now();
    service.logger.info({ signal }, 'shutting down');
    setTimeout(() => process.exit(1), 20_000).unref();
    service.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        service.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

/** The entry point of every subgraph process: parse config, start, run until a signal. */
export async function bootSubgraph<TRuntime, TContext extends object, TSection extends object>(
  def: SubgraphDefinition<TRuntime, TContext, TSection>,
  env: Record<string, string | undefined>,
): Promise<void> {
  const running = await startSubgraph(def, loadConfig(def.name, env, def.config));
  runUntilSignal(running);
}
