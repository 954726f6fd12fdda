import type { Logger } from '@attention-mesh/platform';
import type { AttentionRuntime } from '../runtime.js';
import { sweepRetention } from './sweepRetention.js';

/**
 * Runs the retention sweep every `retentionIntervalMs` (0: never; the CLI or a CronJob does it then).
 * The first run comes one interval after start, so a restart loop does not sweep over and over.
 */
export function retentionRunner(runtime: AttentionRuntime, logger: Logger) {
  const { retentionDays, retentionIntervalMs } = runtime.settings;
  let running: Promise<void> | null = null;
  const timer =
    retentionIntervalMs > 0
      ? setInterval(() => {
          if (running) return;
          running = sweepRetention(runtime, { retentionDays })
            .then((r) => logger.info(r, 'retention sweep done'))
            .catch((err: unknown) =>
              logger.warn({ err }, 'retention sweep failed; the next interval retries'),
            )
            .finally(() => {
              running = null;
            });
        }, retentionIntervalMs)
      : null;
  timer?.unref();
  return {
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
