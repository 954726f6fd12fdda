import { insertNew } from '@attention-mesh/platform';
import type { AttentionEventDoc } from '../models/index.js';
import { type RebuildProgress, rebuildAggregates } from '../projection/rebuild.js';
import type { AttentionRuntime } from '../runtime.js';
import type { AttentionEventInput } from './eventRules.js';
import { rejectionOf } from './eventRules.js';
import { toDoc, withoutConsent } from './recordAttention.js';

export interface ImportProgress {
  read: number;
  stored: number;
  duplicates: number;
  rejected: number;
  dropped: number;
}

/**
 * Bulk import: validates each event (history older than 7 days allowed with `allowHistorical`), drops
 * those of users without analytics consent, stores the rest once per client id with plain unordered
 * inserts, then rebuilds every aggregate in one pass. Much faster than recordAttention for large files;
 * live ingestion should be paused while it runs (the rebuild rewrites the aggregates).
 */
export async function importEvents(
  models: AttentionRuntime,
  events: AsyncIterable<AttentionEventInput> | Iterable<AttentionEventInput>,
  opts: {
    halfLifeDays: number;
    allowHistorical?: boolean;
    batchSize?: number;
    onProgress?(p: ImportProgress): void;
    onRebuild?(p: RebuildProgress): void;
  },
): Promise<ImportProgress & { rebuildMs: number }> {
  const batchSize = opts.batchSize ?? 1000;
  const p: ImportProgress = { read: 0, stored: 0, duplicates: 0, rejected: 0, dropped: 0 };
  const now = Date.now();
  let batch: AttentionEventDoc[] = [];
  const flush = async () => {
    const refused = await withoutConsent(models, [
      ...new Set(batch.flatMap((d) => (d.userId ? [d.userId] : []))),
    ]);
    // An erased user's events are not imported (counted as dropped).
    const erased = await models.tombstones.erasedAmong(batch.flatMap((d) => (d.userId ? [d.userId] : [])));
    const allowed = batch.filter((d) => !(d.userId && (refused.has(d.userId) || erased.has(d.userId))));
    p.dropped += batch.length - allowed.length;
    const stored = await insertNew(models.AttentionEvent, allowed);
    p.stored += stored.length;
    p.duplicates += allowed.length - stored.length;
    batch = [];
    opts.onProgress?.({ ...p });
  };
  for await (const e of events) {
    p.read++;
    if (rejectionOf(e, now, { allowHistorical: opts.allowHistorical })) {
      p.rejected++;
      continue;
    }
    batch.push(toDoc(e, now));
    if (batch.length >= batchSize) await flush();
  }
  if (batch.length) await flush();
  const { ms } = await rebuildAggregates(models, {
    halfLifeDays: opts.halfLifeDays,
    onProgress: opts.onRebuild,
  });
  return { ...p, rebuildMs: ms };
}
