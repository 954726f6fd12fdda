import type { CounterUpdate } from '@attention-mesh/platform';
import type { Measure, Measures } from '../metrics/measures.js';
import { addSums, sums } from '../metrics/metricsOf.js';
import type { AttentionRollupDoc } from '../models/index.js';
import type { AttentionRuntime } from '../runtime.js';

/**
 * The rollups analyst queries read, from memory (`RollupIndex`) while this process holds them all, else
 * from the database. `rollupsIn` gives the documents hour by hour and by value within an hour either
 * way, so a partner's series (noise drawn group after group, in the order groups first appear) is the
 * same whichever answers it; totals and breakdowns do not depend on the order.
 */

/**
 * The rollup updates the projection holds and has not stored yet, as partial rollup documents, of one
 * dimension in [start, end) (and of `values` when given): the stored rollups plus these are exact.
 */
function heldRollups(
  pending: ReadonlyMap<string, CounterUpdate>,
  dim: string,
  values: readonly string[] | null,
  start: number,
  end: number,
): AttentionRollupDoc[] {
  const wanted = values ? new Set(values) : null;
  const out: AttentionRollupDoc[] = [];
  for (const [_id, update] of pending) {
    const key = update.$setOnInsert as { dim: string; value: string; hour: number } | undefined;
    if (!key || key.dim !== dim || key.hour < start || key.hour >= end) continue;
    if (wanted && !wanted.has(key.value)) continue;
    out.push({ _id, dim, value: key.value, hour: key.hour, ...update.$inc });
  }
  return out;
}

const inIndexOrder = (a: AttentionRollupDoc, b: AttentionRollupDoc) =>
  a.hour - b.hour || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);

/**
 * The stored rollups plus the held updates: a query per call, which on the embedded database reads the
 * whole collection (seconds at a million events), on MongoDB the `{dim, hour, value}` index.
 */
async function storedRollupsIn(
  models: AttentionRuntime,
  dim: string,
  values: readonly string[] | null,
  start: number,
  end: number,
): Promise<AttentionRollupDoc[]> {
  const query: Record<string, unknown> = { dim, hour: { $gte: start, $lt: end } };
  if (values) query.value = values.length === 1 ? values[0] : { $in: values };
  return models.projection.readRollups(async (pending) => {
    const stored = await models.AttentionRollup.find(query)
      .sort({ hour: 1, value: 1 })
      .lean<AttentionRollupDoc[]>();
    const held = heldRollups(pending, dim, values, start, end);
    return held.length === 0 ? stored : [...stored, ...held].sort(inIndexOrder);
  });
}

/** The rollups of one dimension (of `values` when given) with an hour in [start, end). */
export async function rollupsIn(
  models: AttentionRuntime,
  dim: string,
  values: readonly string[] | null,
  start: number,
  end: number,
): Promise<AttentionRollupDoc[]> {
  return (
    models.memory.rollups.inRange(dim, values, start, end) ?? storedRollupsIn(models, dim, values, start, end)
  );
}

/**
 * The rollups of one dimension with an hour in [start, end), where held in memory summed by UTC day
 * where the range covers the day (see `RollupIndex.byDayInRange`): for totals over the range and
 * per-day counts, in any order.
 */
export async function dailyRollupsIn(
  models: AttentionRuntime,
  dim: string,
  start: number,
  end: number,
): Promise<AttentionRollupDoc[]> {
  return (
    models.memory.rollups.byDayInRange(dim, start, end) ?? storedRollupsIn(models, dim, null, start, end)
  );
}

/**
 * Sums of `measures` of each value of a dimension over a range (the other measures 0). From the
 * database: grouped there, one aggregation per measure, as FerretDB v1.24 computes only the first
 * accumulator of a `$group` (the others come back 0).
 */
export async function totalsByValue(
  models: AttentionRuntime,
  dim: string,
  start: number,
  end: number,
  measures: readonly Measure[],
): Promise<{ key: string; sums: Measures }[]> {
  const byValue = new Map<string, Measures>();
  const held = models.memory.rollups.byDayInRange(dim, start, end);
  if (held) {
    for (const doc of held) {
      const s = byValue.get(doc.value) ?? sums(null);
      for (const m of measures) s[m] += Number(doc[m] ?? 0) || 0;
      byValue.set(doc.value, s);
    }
    return [...byValue].map(([key, s]) => ({ key, sums: s }));
  }
  await models.projection.readRollups(async (pending) => {
    await Promise.all(
      measures.map(async (m) => {
        const rows = await models.AttentionRollup.aggregate<{ _id: string; total: number }>([
          { $match: { dim, hour: { $gte: start, $lt: end } } },
          { $group: { _id: '$value', total: { $sum: `$${m}` } } },
        ]);
        for (const r of rows) {
          const s = byValue.get(r._id) ?? sums(null);
          s[m] = r.total;
          byValue.set(r._id, s);
        }
      }),
    );
    for (const doc of heldRollups(pending, dim, null, start, end))
      byValue.set(doc.value, addSums(byValue.get(doc.value) ?? sums(null), doc));
  });
  return [...byValue].map(([key, s]) => ({ key, sums: s }));
}
