import { randomInt } from 'node:crypto';
import { currentTraceparent } from '../tracing/eventTrace.js';
import { type EventData, type EventInput, type EventType, parseEventData } from './catalog.js';
import type { EntityKey, MeshEvent } from './types.js';

/** Event ids: `evt_` + 9 base36 digits of epoch ms + 12 hex digits, the shape of `newId('evt')`. */
const EVENT_ID = /^evt_([0-9a-z]{9})[0-9a-f]{12}$/;
const SEQ_SPAN = 2 ** 40;

let lastMs = 0;
let seq = 0;

/**
 * A new event id, like `newId('evt')` but strictly increasing within the process: ids made in the
 * same millisecond (or while the clock stepped back) keep the order they were made in, so the events
 * of one publisher are delivered in the order it created them. The low part starts at a random value
 * below 2^40 each millisecond, which keeps ids from different processes apart.
 */
export function newEventId(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    seq = randomInt(0, SEQ_SPAN);
  } else {
    seq += 1;
  }
  return `evt_${lastMs.toString(36).padStart(9, '0')}${seq.toString(16).padStart(12, '0')}`;
}

/** The epoch ms an event id was made at, or null when the id is not an event id. */
export function eventIdTime(id: string): number | null {
  const m = EVENT_ID.exec(id);
  return m ? Number.parseInt(m[1]!, 36) : null;
}

/**
 * The lowest possible id of time `ms`: every event id made before `ms` sorts below it, every id made
 * at or after it sorts above. Used as an exclusive bound and as a position between events.
 */
export function eventIdFloor(ms: number): string {
  return `evt_${Math.max(0, Math.floor(ms)).toString(36).padStart(9, '0')}`;
}

/**
 * A new event with a fresh id; publish it right away. The payload is typed by the event type and
 * checked against the catalog here, so a producer bug throws before anything is written; the event
 * carries the parsed payload (defaults applied, unknown fields dropped).
 */
export function meshEvent<T extends EventType>(
  type: T,
  key: EntityKey,
  data: EventInput<T>,
  opts: { userId?: string; occurredAt?: number; id?: string } = {},
): MeshEvent<EventData<T>, T> {
  const parsed = parseEventData(type, data);
  if (!parsed.ok) throw new Error(`${type} payload does not match the event catalog: ${parsed.reason}`);
  const now = Date.now();
  const event: MeshEvent<EventData<T>, T> = {
    // A given id makes a re-publish of the same event a no-op (e.g. an erasure published again after a crash).
    id: opts.id ?? newEventId(now),
    type,
    occurredAt: opts.occurredAt ?? now,
    key: { __typename: key.__typename, id: key.id },
    data: parsed.data,
  };
  if (opts.userId !== undefined) event.userId = opts.userId;
  const traceparent = currentTraceparent();
  if (traceparent !== undefined) event.trace = traceparent;
  return event;
}
