import type { Logger } from '@attention-mesh/platform';
import type { AttentionProfileDoc, AttentionTotalDoc } from '../models/index.js';
import type { AttentionRuntime } from '../runtime.js';
import { storedRollups } from './rebuild.js';
import { markDrained } from './recovery.js';

/** Loads the stored ids of the derived documents in the background; at stop, stores everything pending and says so. */
export function projectionRunner(runtime: AttentionRuntime, logger: Logger) {
  const loading = runtime.projection
    .loadStoredIds()
    .catch((err: unknown) =>
      logger.warn(
        { err },
        'cannot load the stored ids: every unknown view is looked up, every document upserted',
      ),
    );
  return {
    async stop() {
      await loading;
      await runtime.projection.idle();
      await markDrained(runtime, true);
    },
  };
}

/** Loads totals, profiles and rollups into memory (before the service takes requests, so no batch is missed). */
export async function loadMemoryViews(runtime: AttentionRuntime, logger: Logger) {
  const started = Date.now();
  const tooMany = 'too many: read from the database';
  const loaded: Record<string, number | string> = {};
  if (runtime.settings.memoryDocs > 0) {
    const totals = await runtime.memory.totals.load(
      runtime.AttentionTotal.find({}).lean<AttentionTotalDoc>().cursor({ batchSize: 5000 }),
    );
    const profiles = await runtime.memory.profiles.load(
      runtime.AttentionProfile.find({}).lean<AttentionProfileDoc>().cursor({ batchSize: 5000 }),
    );
    loaded.totals = totals ? runtime.memory.totals.size : tooMany;
    loaded.profiles = profiles ? runtime.memory.profiles.size : tooMany;
  }
  if (runtime.settings.memoryRollups > 0) {
    const rollups = await runtime.memory.rollups.load(storedRollups(runtime));
    loaded.rollups = rollups ? runtime.memory.rollups.size : tooMany;
  }
  if (Object.keys(loaded).length === 0) return;
  logger.info({ ...loaded, ms: Date.now() - started }, 'derived data loaded into memory');
}
