import { badUserInput, newId, writeErrorsOf } from '@attention-mesh/platform';
import { type AttentionEventInput, counterIncrements, type Rejection, rejectionOf } from './eventRules.js';
import type { AttentionEventDoc } from './models/AttentionEvent.js';
import type { AttentionModels } from './server.js';

export const MAX_BATCH = 1000;

export interface RecordResult {
  accepted: number;
  duplicates: number;
  rejected: (Rejection & { index: number; clientId: string | null })[];
}

function toDoc(e: AttentionEventInput, now: number): AttentionEventDoc {
  return {
    _id: newId('evt', now),
    clientId: e.clientId,
    userId: e.userId ?? null,
    anonymousId: e.anonymousId ?? null,
    sessionId: e.sessionId,
    targetType: e.target.type as AttentionEventDoc['targetType'],
    targetId: e.target.id,
    type: e.type as AttentionEventDoc['type'],
    occurredAt: e.occurredAt,
    receivedAt: now,
    visibleFraction: e.visibleFraction ?? null,
    durationMs: e.durationMs ?? null,
    scrollDepth: e.scrollDepth ?? null,
    visible: e.visible ?? null,
    device: e.device ?? null,
    viewport: e.viewport ?? null,
    creativeSize: e.creativeSize ?? null,
  };
}

/**
 * Validates each event alone, stores the good ones in one unordered insert (a repeated client id
 * fails on the unique index and is counted as a duplicate), then adds the stored ones to the counters.
 * Answers only after both writes.
 */
export async function recordAttention(
  models: AttentionModels,
  events: readonly AttentionEventInput[],
  now = Date.now(),
): Promise<RecordResult> {
  if (events.length > MAX_BATCH)
    throw badUserInput(`at most ${MAX_BATCH} events per call, got ${events.length}`, 'events');
  const result: RecordResult = { accepted: 0, duplicates: 0, rejected: [] };
  const docs: AttentionEventDoc[] = [];
  events.forEach((e, index) => {
    const rejection = rejectionOf(e, now);
    if (rejection) result.rejected.push({ index, clientId: e.clientId ?? null, ...rejection });
    else docs.push(toDoc(e, now));
  });
  if (docs.length === 0) return result;

  const failed = new Set<number>();
  try {
    await models.AttentionEvent.collection.insertMany(docs as unknown as Record<string, unknown>[], {
      ordered: false,
    });
  } catch (err) {
    const writeErrors = writeErrorsOf(err);
    if (!writeErrors) throw err;
    for (const we of writeErrors) {
      if (we.code !== 11000) throw err;
      failed.add(we.index);
    }
  }
  const stored = docs.filter((_, i) => !failed.has(i));
  result.duplicates = failed.size;
  result.accepted = stored.length;

  await models.counters.add(
    [...counterIncrements(stored)].map(([key, inc]) => [
      key,
      {
        $inc: {
          events: inc.events,
          impressions: inc.impressions,
          clicks: inc.clicks,
          engagedMs: inc.engagedMs,
          viewMs: inc.viewMs,
        },
        $max: { lastEventAt: inc.lastEventAt },
      },
    ]),
  );
  return result;
}
