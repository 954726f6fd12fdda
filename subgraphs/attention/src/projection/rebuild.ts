import { applyViewEvent, newViewState, type ViewState } from '../metrics/attentionMetrics.js';
import { MEASURES } from '../metrics/measures.js';
import type {
  AttentionEventDoc,
  AttentionProfileDoc,
  AttentionRollupDoc,
  AttentionTotalDoc,
} from '../models/index.js';
import { clipContributions } from '../privacy/clipContributions.js';
import type { DpDayState } from '../privacy/dpMeasures.js';
import type { AttentionRuntime } from '../runtime.js';
import { applyUpdate } from './materialize.js';
import { batchUpdates, dimensionsOf, type MeasuredEvent, measuresOf, WITH_TOTALS } from './rollups.js';

export interface RebuildProgress {
  phase: 'read' | 'measure' | 'write';
  done: number;
  total?: number;
}

const WRITE_BATCH = 1000;

async function replaceAll(
  model: {
    deleteMany(f: object): PromiseLike<unknown>;
    insertMany(docs: object[], o: object): PromiseLike<unknown>;
  },
  docs: object[],
  onWritten: (n: number) => void,
  filter: object = {},
) {
  await model.deleteMany(filter);
  for (let i = 0; i < docs.length; i += WRITE_BATCH) {
    await model.insertMany(docs.slice(i, i + WRITE_BATCH), { ordered: false, lean: true });
    onWritten(Math.min(WRITE_BATCH, docs.length - i));
  }
}

/**
 * Recomputes every aggregate (views, hourly rollups, totals, profiles, sessions) from the stored events
 * in one pass and writes them with plain inserts: the repair for a crash between an event's insert and
 * its counters, and the fast path after a bulk import. Ingestion must be paused meanwhile (updates that
 * arrive during the rebuild are overwritten). Holds the events' measured fields in memory (about 200 bytes
 * an event).
 *
 * After a retention sweep (see retention/sweepRetention.ts) the events before its `sweptBefore` hour are
 * gone: the rollups of those hours are kept as they are, the totals start from them (so all-time sums
 * stay exact; `lastEventAt` of an entity seen only then is the start of its last hour), and views,
 * sessions and profiles are rebuilt from the retained events only.
 */
export async function rebuildAggregates(
  models: AttentionRuntime,
  opts: { halfLifeDays: number; onProgress?: (p: RebuildProgress) => void },
): Promise<{ events: number; ms: number }> {
  const started = Date.now();
  // What the projection holds goes out first: the rebuild then replaces it, and nothing is added twice.
  await models.projection.idle();
  const sweptBefore = (await models.RetentionState.findById('retention').lean())?.sweptBefore ?? 0;
  const byView = new Map<string, AttentionEventDoc[]>();
  let read = 0;
  for await (const e of models.AttentionEvent.find(
    sweptBefore > 0 ? { occurredAt: { $gte: sweptBefore } } : {},
  )
    .lean<AttentionEventDoc>()
    .cursor({ batchSize: 5000 })) {
    const list = byView.get(e.impressionId);
    if (list) list.push(e);
    else byView.set(e.impressionId, [e]);
    if (++read % 50_000 === 0) opts.onProgress?.({ phase: 'read', done: read });
  }
  opts.onProgress?.({ phase: 'read', done: read, total: read });

  const views: object[] = [];
  const rollups = new Map<string, Record<string, unknown> & { _id: string }>();
  const totals = new Map<string, Record<string, unknown> & { _id: string }>();
  const profiles = new Map<string, Record<string, unknown> & { _id: string }>();
  const sessions = new Map<string, number>();
  if (sweptBefore > 0) await addKeptRollups(models, sweptBefore, totals);
  let measuredCount = 0;
  let chunk: MeasuredEvent[] = [];
  const dpDays = new Map<string, DpDayState>();
  const flush = () => {
    const dps = clipContributions(
      chunk.map((m) => ({ event: m.event, measures: measuresOf(m.delta), dims: dimensionsOf(m.event) })),
      dpDays,
      models.config.dp.bounds,
    );
    chunk.forEach((m, i) => {
      m.dp = dps[i] ?? null;
    });
    const u = batchUpdates(chunk, opts.halfLifeDays);
    for (const [id, update] of u.rollups) applyUpdate(rollups, id, update);
    for (const [id, update] of u.totals) applyUpdate(totals, id, update);
    for (const [id, update] of u.profiles) applyUpdate(profiles, id, update);
    chunk = [];
  };
  for (const [impressionId, events] of byView) {
    events.sort((a, b) => a.occurredAt - b.occurredAt);
    const state: ViewState = newViewState();
    for (const event of events) {
      const engagedBefore = state.engagedMs;
      const delta = applyViewEvent(state, event);
      chunk.push({ event, delta, engagedBefore, engagedAfter: state.engagedMs });
      if (event.userId) {
        const key = `${event.userId}|${event.sessionId}`;
        sessions.set(key, Math.max(sessions.get(key) ?? 0, event.occurredAt));
      }
    }
    const first = events[0]!;
    views.push({
      _id: impressionId,
      userId: first.userId,
      targetType: first.targetType,
      targetId: first.targetId,
      state,
      // The view's last event, not the rebuild's time: the retention sweep ages views by it.
      updatedAt: events.at(-1)!.occurredAt,
    });
    measuredCount += events.length;
    if (chunk.length >= 20_000) {
      flush();
      opts.onProgress?.({ phase: 'measure', done: measuredCount, total: read });
    }
  }
  flush();
  opts.onProgress?.({ phase: 'measure', done: measuredCount, total: read });
  for (const key of sessions.keys()) {
    const userId = key.slice(0, key.lastIndexOf('|'));
    applyUpdate(profiles, userId, { $inc: { sessions: 1 } });
  }

  const all = views.length + rollups.size + totals.size + profiles.size + sessions.size + dpDays.size;
  let written = 0;
  const onWritten = (n: number) => {
    written += n;
    opts.onProgress?.({ phase: 'write', done: written, total: all });
  };
  await replaceAll(models.AttentionView, views, onWritten);
  models.projection.noteStored('views', byView.keys());
  models.viewCache.clear();
  await replaceAll(
    models.AttentionRollup,
    [...rollups.values()],
    onWritten,
    sweptBefore > 0 ? { hour: { $gte: sweptBefore } } : {},
  );
  models.projection.noteStored('rollups', rollups.keys());
  await replaceAll(models.AttentionTotal, [...totals.values()], onWritten);
  models.projection.noteStored('totals', totals.keys());
  await replaceAll(models.AttentionProfile, [...profiles.values()], onWritten);
  models.projection.noteStored('profiles', profiles.keys());
  await replaceAll(
    models.AttentionSession,
    [...sessions].map(([_id, at]) => ({ _id, at })),
    onWritten,
  );
  await replaceAll(models.DpDay, [...dpDays.values()], onWritten);
  models.dpDays.clear();
  // What the service holds in memory is what was just written (the importer runs in-process too).
  await models.memory.totals.load(totals.values() as Iterable<AttentionTotalDoc>);
  await models.memory.profiles.load(profiles.values() as Iterable<AttentionProfileDoc>);
  // After a sweep the kept rollups of swept hours are stored only: read them all back.
  await models.memory.rollups.load(
    sweptBefore > 0 ? storedRollups(models) : (rollups.values() as Iterable<AttentionRollupDoc>),
  );
  return { events: read, ms: Date.now() - started };
}

/** Adds the kept rollups of swept hours to the totals of their entities (a scan: a batch job's read). */
async function addKeptRollups(
  models: AttentionRuntime,
  sweptBefore: number,
  totals: Map<string, Record<string, unknown> & { _id: string }>,
): Promise<void> {
  for await (const r of models.AttentionRollup.find({ hour: { $lt: sweptBefore } })
    .lean<AttentionRollupDoc>()
    .cursor({ batchSize: 5000 })) {
    if (!WITH_TOTALS.has(r.dim)) continue;
    const inc: Record<string, number> = {};
    for (const m of MEASURES) inc[m] = r[m] ?? 0;
    applyUpdate(totals, `${r.dim}|${r.value}`, { $inc: inc, $max: { lastEventAt: r.hour } });
  }
}

/** Every stored rollup (a scan of the collection: start-up and batch jobs only). */
export function storedRollups(runtime: AttentionRuntime): AsyncIterable<AttentionRollupDoc> {
  return runtime.AttentionRollup.find({}).lean<AttentionRollupDoc>().cursor({ batchSize: 5000 });
}
