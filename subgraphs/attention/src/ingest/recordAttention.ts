import {
  badUserInput,
  type Caller,
  countAttentionEvents,
  ErrorCode,
  type EventBus,
  insertNew,
  isClientId,
  newId,
} from '@attention-mesh/platform';
import { applyViewEvent, newViewState, type ViewState } from '../metrics/attentionMetrics.js';
import type { AttentionEventDoc, AttentionViewDoc } from '../models/index.js';
import { batchUpdates, type MeasuredEvent } from '../projection/rollups.js';
import type { AttentionRuntime } from '../runtime.js';
import { type AttentionEventInput, type Rejection, rejectionOf } from './eventRules.js';
import { requireRecordingRights } from './recordingRights.js';

export interface RecordResult {
  accepted: number;
  duplicates: number;
  /** Events of users who do not allow analytics: not stored. */
  dropped: number;
  rejected: (Rejection & { index: number; clientId: string | null })[];
}

/** The stored form of a validated event. */
export function toDoc(e: AttentionEventInput, now: number): AttentionEventDoc {
  return {
    _id: newId('evt', now),
    clientId: e.clientId,
    impressionId: e.impressionId!,
    userId: e.userId ?? null,
    anonymousId: e.anonymousId ?? null,
    sessionId: e.sessionId,
    targetType: e.target.type as AttentionEventDoc['targetType'],
    targetId: e.target.id,
    placementId: e.placementId ?? null,
    category: e.category ?? null,
    type: e.type as AttentionEventDoc['type'],
    occurredAt: e.occurredAt,
    receivedAt: now,
    media: (e.media as AttentionEventDoc['media']) ?? 'DISPLAY',
    visibleFraction: e.visibleFraction ?? null,
    durationMs: e.durationMs ?? null,
    scrollDepth: e.scrollDepth ?? null,
    visible: e.visible ?? null,
    device: e.device ?? null,
    country: e.country ?? null,
    viewport: e.viewport ?? null,
    creativeSize: e.creativeSize ?? null,
  };
}

/** Users among `userIds` who have withdrawn analytics consent (a user never announced is not among them). */
export function withoutConsent(models: AttentionRuntime, userIds: string[]): Promise<Set<string>> {
  return models.consents.refusing(userIds, 'analytics');
}

/**
 * The current states of views: from the process's cache of recent views (their events arrive close
 * together) or the states still being written, else by id — only for views that may have been
 * stored (a new view's first events need no read).
 */
async function loadViews(models: AttentionRuntime, ids: string[]): Promise<Map<string, ViewState>> {
  const states = new Map<string, ViewState>();
  const missing: string[] = [];
  for (const id of ids) {
    const known = models.viewCache.get(id) ?? models.projection.viewState(id);
    if (known) states.set(id, structuredClone(known));
    else if (models.projection.mightBeStored(id)) missing.push(id);
  }
  // By exact id: the one filter the embedded database serves from an index (devdb adds it); an `$in`
  // would read the whole collection there.
  const found = await Promise.all(missing.map((id) => models.AttentionView.findById(id).lean()));
  for (const view of found) if (view) states.set(view._id, view.state);
  return states;
}

/**
 * Applies stored events to their views, in time order, one batch at a time per view (a process-wide
 * lock on the impression ids); returns the measured events and the views' new states.
 */
async function measure(
  models: AttentionRuntime,
  stored: AttentionEventDoc[],
): Promise<{ measured: MeasuredEvent[]; views: AttentionViewDoc[] }> {
  const ids = [...new Set(stored.map((e) => e.impressionId))];
  return models.viewLock.run(ids, async () => {
    const states = await loadViews(models, ids);
    const measured: MeasuredEvent[] = [];
    for (const event of [...stored].sort((a, b) => a.occurredAt - b.occurredAt)) {
      let state = states.get(event.impressionId);
      if (!state) {
        state = newViewState();
        states.set(event.impressionId, state);
      }
      const engagedBefore = state.engagedMs;
      const delta = applyViewEvent(state, event);
      measured.push({ event, delta, engagedBefore, engagedAfter: state.engagedMs });
    }
    const first = new Map(stored.map((e) => [e.impressionId, e]));
    const now = Date.now();
    const views = ids.map((id) => {
      const e = first.get(id)!;
      const state = states.get(id)!;
      // The cache holds its own copy: the projection writes `state` later.
      models.viewCache.set(id, structuredClone(state));
      return {
        _id: id,
        userId: e.userId,
        targetType: e.targetType,
        targetId: e.targetId,
        state,
        updatedAt: now,
      };
    });
    return { measured, views };
  });
}

/**
 * recordAttention: refuses the whole batch when it holds an event the caller may not record (another
 * person's), then validates each event alone, drops those of users without analytics consent, stores
 * the rest once per client id, measures them against their views (MRC viewability, time in view,
 * engaged time, scroll, dwell) and hands what they add to the hourly rollups, totals and user profiles
 * to the projection, which writes it behind and then publishes an `attention.recorded` summary per
 * user. Answers once the events are stored: they are the durable record the derived data is rebuilt
 * from after a crash (see Projection).
 */
export async function recordAttention(
  models: AttentionRuntime,
  events: readonly AttentionEventInput[],
  opts: { caller: Caller; maxBatch: number; halfLifeDays: number; now?: number; events?: EventBus },
): Promise<RecordResult> {
  if (events.length > opts.maxBatch) {
    throw badUserInput(`at most ${opts.maxBatch} events per call, got ${events.length}`, 'events');
  }
  requireRecordingRights(opts.caller, events);
  const now = opts.now ?? Date.now();
  const result: RecordResult = { accepted: 0, duplicates: 0, dropped: 0, rejected: [] };
  const valid: AttentionEventDoc[] = [];
  const indexOf = new Map<AttentionEventDoc, number>();
  events.forEach((e, index) => {
    const rejection = rejectionOf(e, now);
    // A malformed client id is not echoed back (it may be megabytes long).
    if (rejection)
      result.rejected.push({ index, clientId: isClientId(e.clientId) ? e.clientId : null, ...rejection });
    else {
      const doc = toDoc(e, now);
      indexOf.set(doc, index);
      valid.push(doc);
    }
  });
  // Events of erased users are refused by index (USER_ERASED); the others go on.
  const erased = await models.tombstones.erasedAmong(valid.flatMap((d) => (d.userId ? [d.userId] : [])));
  const alive = valid.filter((d) => !(d.userId && erased.has(d.userId)));
  for (const d of valid)
    if (d.userId && erased.has(d.userId))
      result.rejected.push({
        index: indexOf.get(d)!,
        clientId: d.clientId,
        code: ErrorCode.USER_ERASED,
        message: 'userId was erased: nothing more is recorded for it',
      });
  result.rejected.sort((a, b) => a.index - b.index);
  const refused = await withoutConsent(models, [
    ...new Set(alive.flatMap((d) => (d.userId ? [d.userId] : []))),
  ]);
  const docs = alive.filter((d) => !(d.userId && refused.has(d.userId)));
  result.dropped = alive.length - docs.length;
  if (docs.length === 0) return result;

  await models.projection.admit();
  const stored = await insertNew(models.AttentionEvent, docs);
  result.duplicates = docs.length - stored.length;
  result.accepted = stored.length;
  countAttentionEvents(stored.length);
  if (stored.length === 0) return result;

  const { measured, views } = await measure(models, stored);
  await models.dpDays.contribute(measured);
  const { rollups, totals, profiles } = batchUpdates(measured, opts.halfLifeDays);
  const sessions = [...new Set(stored.filter((e) => e.userId).map((e) => `${e.userId}|${e.sessionId}`))];
  models.memory.totals.apply(totals);
  models.memory.profiles.apply(profiles);
  models.memory.rollups.apply(rollups);
  models.projection.submit({
    views,
    sessions,
    rollups,
    totals,
    profiles,
    measured,
    events: opts.events,
  });
  return result;
}
