import type { Logger } from '@attention-mesh/platform';
import type { AttentionProfileDoc, AttentionTotalDoc } from '../models/index.js';
import type { AttentionRuntime } from '../runtime.js';
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

/** Loads totals and profiles into memory (before the service takes requests, so no batch is missed). */
export async function loadMemoryViews(runtime: AttentionRuntime, logger: Logger) {
  if (runtime.settings.memoryDocs === 0) return;
  const started = Date.now();
  const totals = await runtime.memory.totals.load(
    runtime.AttentionTotal.find({}).lean<AttentionTotalDoc>().cursor({ batchSize: 5000 }),
  );
  const profiles = await runtime.memory.profiles.load(
    runtime.AttentionProfile.find({}).lean<AttentionProfileDoc>().cursor({ batchSize: 5000 }),
  );
  logger.info(
    {
      totals: totals ? runtime.memory.totals.size : 'too many: read from the database',
      profiles: profiles ? runtime.memory.profiles.size : 'too many: read from the database',
      ms: Date.now() - started,
    },
    'totals and profiles loaded into memory',
  );
}
