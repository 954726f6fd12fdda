import type { Logger } from '@attention-mesh/platform';
import type { attentionModels } from '../models/index.js';
import type { AttentionRuntime } from '../runtime.js';
import { rebuildAggregates } from './rebuild.js';

type Models = ReturnType<typeof attentionModels>;

/**
 * At start: if the last process did not drain its projection (it crashed), rebuilds every derived
 * document from the stored events before the service takes requests; then records that a process is
 * running. Returns whether it rebuilt.
 */
export async function recoverProjection(
  models: AttentionRuntime,
  opts: { halfLifeDays: number; logger: Logger },
): Promise<boolean> {
  const state = await models.ProjectionState.findById('projection').lean();
  const rebuild = state !== null && !state.drained;
  if (rebuild) {
    opts.logger.warn(
      'the last process stopped without storing all derived data: rebuilding it from the events',
    );
    const { events, ms } = await rebuildAggregates(models, {
      halfLifeDays: opts.halfLifeDays,
      onProgress: (p) => opts.logger.info(p, 'rebuilding derived data'),
    });
    opts.logger.info({ events, ms }, 'derived data rebuilt');
  }
  await markDrained(models, false);
  return rebuild;
}

/** Stores whether everything derived is written (true only after a drain at stop). */
export async function markDrained(models: Models, drained: boolean) {
  await models.ProjectionState.updateOne(
    { _id: 'projection' },
    { $set: { drained, updatedAt: Date.now() } },
    { upsert: true },
  );
}
