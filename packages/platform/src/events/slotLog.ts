import type { mongo } from 'mongoose';
import type { Logger } from '../logger.js';
import type { EntityKey } from './types.js';

/** One event as the log carries it; `for` marks a dead letter replayed to one consumer. */
export interface SlotEntry {
  id: string;
  type: string;
  occurredAt: number;
  key: EntityKey;
  userId?: string;
  data: unknown;
  /** The producer's W3C traceparent (`MeshEvent.trace`). */
  trace?: string;
  /** A replay: only the consumer of this name handles it (and removes its dead letter). */
  for?: string;
}

/** Events published so far, per type, up to and including a slot (consumer lag is a difference). */
export type TypeCounts = { t: string; n: number }[];

/** One publish (or several grouped), at a position of the gap-free log. */
export interface SlotDoc {
  /**
   * `slotId(n)`: the position as a zero-padded string. A string because the embedded database pushes
   * an exact `_id` filter down to its index only for strings (a number `_id` reads the whole
   * collection: 286 ms against 1 ms per read, measured with 2,000 slots of 5 kB).
   */
  _id: string;
  /** 1, 2, 3, …: the position in the log. */
  n: number;
  /** When it was appended, epoch ms. */
  at: number;
  events: SlotEntry[];
  counts: TypeCounts;
}

/** `bus_meta` `tail`: a lower bound of the newest slot (every publisher raises it, about twice a second). */
export interface TailDoc {
  _id: 'tail';
  slot: number;
  updatedAt: number;
}

/** Slots kept in memory per bus instance, so consumers of one process read each slot once. */
const CACHE_SLOTS = 2_048;
/** How long a publisher trusts what it knows of the newest slot before it reads the tail document. */
const KNOWLEDGE_MS = 10_000;
/** How often (at most) a publisher writes the tail document. */
const TAIL_WRITE_MS = 500;
/** The poll interval once nothing new was found for QUIET_AFTER_MS (a local publish still wakes at once). */
const IDLE_POLL_MS = 500;
const QUIET_AFTER_MS = 10_000;
/** Events per slot at most when publishes are grouped (a larger single publish keeps its own slot). */
export const MAX_SLOT_EVENTS = 1_000;

/** The `_id` of slot n: `s` and 12 digits, so that string order is slot order. */
export const slotId = (n: number): string => `s${String(n).padStart(12, '0')}`;

export function addCounts(base: TypeCounts, entries: SlotEntry[]): TypeCounts {
  const m = new Map(base.map((c) => [c.t, c.n]));
  for (const e of entries) if (e.for === undefined) m.set(e.type, (m.get(e.type) ?? 0) + 1);
  return [...m].map(([t, n]) => ({ t, n }));
}

export function countOf(counts: TypeCounts | undefined, types: Iterable<string>): number {
  if (!counts) return 0;
  const want = new Set(types);
  let n = 0;
  for (const c of counts) if (want.has(c.t)) n += c.n;
  return n;
}

/**
 * The log of the Mongo bus: slot documents `{ _id: 's000000000001', n: 1 }`, 2, 3, … in the `log` collection, each holding
 * the events of one publish. Every read is by exact `_id` (the only filter the embedded database
 * indexes): "anything new?" is a read of the slot after the newest one known.
 *
 * Gap-free by construction: a publisher inserts slot k only once it knows slot k - 1 exists (it wrote
 * it, or an insert of it failed as a duplicate, or the tail document named it), and a duplicate key
 * sends it on to k + 1. So a consumer that finds no slot k knows nothing after it exists yet, and can
 * wait there without a settle window, whatever the clocks of the publishers say. Sweeping keeps the
 * slots at and after the tail document's value, so no publisher can re-fill a swept slot.
 *
 * One instance per bus instance: it groups concurrent publishes into one slot (one insert), keeps
 * recent slots in memory and wakes local consumers as soon as a local publish is stored.
 */
export class SlotLog {
  private readonly cache = new Map<number, SlotDoc>();
  /** The newest slot this instance knows exists, and when it learned it. */
  private known: { slot: number; doc: SlotDoc | null; at: number } = { slot: 0, doc: null, at: 0 };
  private queue: {
    entries: SlotEntry[];
    waiters: { resolve(slot: number): void; reject(err: unknown): void }[];
  }[] = [];
  private draining: Promise<void> | undefined;
  private waiters = new Map<number, Set<() => void>>();
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;
  /** When a slot last became known (appended here or found by a poll). */
  private lastNewAt = Date.now();
  private tailWrite: { at: number; timer?: NodeJS.Timeout; pending?: number } = { at: 0 };
  private closed = false;
  /** Reads of the log collection (tests and benchmarks count them). */
  reads = 0;

  constructor(
    private readonly log: mongo.Collection<SlotDoc>,
    private readonly meta: mongo.Collection<TailDoc>,
    private readonly logger: Logger,
    private readonly pollIntervalMs: number,
    private readonly idlePollIntervalMs: number = Math.max(pollIntervalMs, IDLE_POLL_MS),
  ) {}

  /** The slot, from memory or by exact `_id`; null when it does not exist (yet, or any more). */
  async get(slot: number): Promise<SlotDoc | null> {
    if (slot < 1) return null;
    const hit = this.cache.get(slot);
    if (hit) return hit;
    this.reads++;
    const doc = await this.log.findOne({ _id: slotId(slot) });
    if (doc) this.remember(doc);
    return doc;
  }

  private remember(doc: SlotDoc): void {
    this.cache.set(doc.n, doc);
    if (this.cache.size > CACHE_SLOTS) this.cache.delete(this.cache.keys().next().value!);
    if (doc.n > this.known.slot) {
      this.known = { slot: doc.n, doc, at: Date.now() };
      this.lastNewAt = Date.now();
    }
    const ready = [...this.waiters].filter(([k]) => k <= doc.n);
    for (const [k, set] of ready) {
      this.waiters.delete(k);
      for (const w of set) w();
    }
  }

  /** The tail document's value (a lower bound of the newest slot; 0 for an empty log). */
  async tailHint(): Promise<number> {
    const doc = await this.meta.findOne({ _id: 'tail' });
    return doc?.slot ?? 0;
  }

  /** The newest slot that exists now: the tail document, then exact reads forward. */
  async newest(): Promise<number> {
    let slot = Math.max(await this.tailHint(), this.known.slot);
    while (await this.get(slot + 1)) slot++;
    return slot;
  }

  /** The oldest slot still stored (a start-up question: on the embedded database it reads the log). */
  async oldest(): Promise<number | null> {
    this.reads++;
    const [doc] = await this.log.find({}).sort({ _id: 1 }).limit(1).toArray();
    return doc?.n ?? null;
  }

  /**
   * Appends `entries` to the log; resolves with the slot number once stored. Appends of one instance
   * keep their call order; those made while an insert is in flight share the next slot (one insert).
   */
  append(entries: SlotEntry[]): Promise<number> {
    if (this.closed) return Promise.reject(new Error('the event bus is closed'));
    return new Promise((resolve, reject) => {
      let group = this.queue.at(-1);
      if (!group || group.entries.length + entries.length > MAX_SLOT_EVENTS) {
        group = { entries: [], waiters: [] };
        this.queue.push(group);
      }
      group.entries.push(...entries);
      group.waiters.push({ resolve, reject });
      this.draining ??= this.drain().finally(() => {
        this.draining = undefined;
      });
    });
  }

  private async drain(): Promise<void> {
    for (let group = this.queue.shift(); group; group = this.queue.shift()) {
      try {
        const slot = await this.insert(group.entries);
        for (const w of group.waiters) w.resolve(slot);
      } catch (err) {
        for (const w of group.waiters) w.reject(err);
      }
    }
  }

  private async insert(entries: SlotEntry[]): Promise<number> {
    let prev = this.known;
    if (Date.now() - prev.at > KNOWLEDGE_MS) {
      const hint = await this.tailHint();
      if (hint > prev.slot) prev = { slot: hint, doc: null, at: Date.now() };
    }
    let slot = prev.slot + 1;
    let prevDoc = prev.doc && prev.doc.n === slot - 1 ? prev.doc : null;
    for (;;) {
      if (!prevDoc && slot > 1) prevDoc = await this.get(slot - 1);
      const doc: SlotDoc = {
        _id: slotId(slot),
        n: slot,
        at: Date.now(),
        events: entries,
        counts: addCounts(prevDoc?.counts ?? [], entries),
      };
      try {
        await this.log.insertOne(doc);
        this.remember(doc);
        this.raiseTail(slot);
        return slot;
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
        // Another publisher took it: it exists, so the next one may be taken.
        prevDoc = await this.get(slot);
        slot++;
      }
    }
  }

  /** Raises the tail document, at most every TAIL_WRITE_MS, always with the newest value in the end. */
  private raiseTail(slot: number): void {
    this.tailWrite.pending = Math.max(this.tailWrite.pending ?? 0, slot);
    if (this.tailWrite.timer) return;
    const wait = Math.max(0, this.tailWrite.at + TAIL_WRITE_MS - Date.now());
    this.tailWrite.timer = setTimeout(() => void this.flushTail(), wait);
  }

  private async flushTail(): Promise<void> {
    const slot = this.tailWrite.pending;
    this.tailWrite = { at: Date.now() };
    if (slot === undefined) return;
    try {
      await this.meta.updateOne(
        { _id: 'tail' },
        { $max: { slot }, $set: { updatedAt: Date.now() } },
        { upsert: true },
      );
    } catch (err) {
      if (!this.closed)
        this.logger.warn({ err, slot }, 'cannot raise the event log tail (retried by the next publish)');
    }
  }

  /**
   * Resolves once slot `slot` is known to exist (a local append, or a poll by exact `_id`), or `cancel`
   * is called. One poll per interval serves every waiting consumer of this instance.
   */
  waitFor(slot: number): { ready: Promise<void>; cancel: () => void } {
    let done!: () => void;
    const ready = new Promise<void>((resolve) => {
      done = resolve;
    });
    if (this.cache.has(slot) || slot <= this.known.slot) {
      done();
      return { ready, cancel: () => {} };
    }
    const set = this.waiters.get(slot) ?? new Set<() => void>();
    this.waiters.set(slot, set);
    set.add(done);
    this.schedulePoll();
    return {
      ready,
      cancel: () => {
        set.delete(done);
        if (set.size === 0 && this.waiters.get(slot) === set) this.waiters.delete(slot);
        done();
      },
    };
  }

  private schedulePoll(): void {
    if (this.pollTimer || this.polling || this.closed) return;
    // Quick polls while events flow, slower ones once the bus has been quiet for a while.
    const quiet = Date.now() - this.lastNewAt > QUIET_AFTER_MS;
    this.pollTimer = setTimeout(
      () => void this.poll(),
      quiet ? this.idlePollIntervalMs : this.pollIntervalMs,
    );
  }

  private async poll(): Promise<void> {
    this.pollTimer = undefined;
    if (this.waiters.size === 0 || this.closed) return;
    this.polling = true;
    try {
      for (const slot of [...this.waiters.keys()].sort((a, b) => a - b)) {
        if (!this.waiters.has(slot)) continue;
        if (!(await this.get(slot))) break;
      }
    } catch (err) {
      if (!this.closed) this.logger.warn({ err }, 'event log poll failed, retrying');
    } finally {
      this.polling = false;
    }
    if (this.waiters.size > 0) this.schedulePoll();
  }

  /** Deletes the slots before `before` appended before `olderThan` (epoch ms); returns how many. */
  async deleteBefore(before: number, olderThan: number): Promise<number> {
    const res = await this.log.deleteMany({ _id: { $lt: slotId(before) }, at: { $lt: olderThan } });
    for (const k of [...this.cache.keys()]) if (k < before) this.cache.delete(k);
    return res.deletedCount;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.pollTimer);
    await this.draining;
    if (this.tailWrite.timer) {
      clearTimeout(this.tailWrite.timer);
      await this.flushTail();
    }
    for (const set of this.waiters.values()) for (const w of set) w();
    this.waiters.clear();
  }
}
