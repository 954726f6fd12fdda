import type { CounterUpdate } from '@attention-mesh/platform';
import { MEASURES } from '../metrics/measures.js';
import type { AttentionRollupDoc } from '../models/index.js';
import { DP_FIELDS } from '../privacy/dpMeasures.js';
import { applyUpdate } from './materialize.js';

type Doc = Record<string, unknown> & { _id: string };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The summed fields of a rollup. */
const FIELDS: readonly string[] = [...MEASURES, ...DP_FIELDS];

/** The sums of one value over one UTC day, shaped as a rollup of the day's first hour. */
interface DaySums {
  /** By value: every field of its rollups of the day, summed. */
  values: Map<string, AttentionRollupDoc>;
  /** The first and last hours with a rollup: a range covering both covers the whole day's data. */
  first: number;
  last: number;
}

function daySumOf(dim: string, value: string, day: number): AttentionRollupDoc {
  // One shape for all (fields added in one order): reads of them stay fast.
  const doc: Record<string, unknown> = { _id: `${dim}|${value}|${day}|day`, dim, value, hour: day };
  for (const f of FIELDS) doc[f] = 0;
  return doc as unknown as AttentionRollupDoc;
}

interface HourList {
  docs: AttentionRollupDoc[];
  /** Whether `docs` is in value order (new values are appended, and sorted at the next read). */
  sorted: boolean;
}

const byValue = (a: AttentionRollupDoc, b: AttentionRollupDoc) =>
  a.value < b.value ? -1 : a.value > b.value ? 1 : 0;

/**
 * The hourly rollups held whole in memory by the process that writes them, bucketed by dimension and
 * hour, so an analyst's range is answered by walking the range's hours (an empty range costs nothing)
 * instead of a query: on the embedded database any filter other than an exact `_id` reads the whole
 * collection, once per query. Loaded once at start (and after a rebuild), then kept current with the
 * `$inc` updates of every accepted batch, exactly as the projection will store them, so it also counts
 * what the projection has not written yet.
 *
 * Complete or nothing, like MemoryView: past `capacity` documents (or when the service is not the
 * rollups' only writer, capacity 0) it turns itself off for good and reads go to the database (on
 * MongoDB through the `{dim, hour, value}` index).
 */
export class RollupIndex {
  private readonly docs = new Map<string, Doc>();
  private readonly hours = new Map<string, HourList>();
  private readonly days = new Map<string, DaySums>();
  private complete = false;

  constructor(private readonly capacity: number) {}

  get active(): boolean {
    return this.complete;
  }

  get size(): number {
    return this.docs.size;
  }

  /** Loads every stored rollup; false (and off) if there are more than `capacity`. */
  async load(all: AsyncIterable<AttentionRollupDoc> | Iterable<AttentionRollupDoc>): Promise<boolean> {
    this.turnOff();
    if (this.capacity === 0) return false;
    for await (const doc of all) {
      if (this.docs.size >= this.capacity) {
        this.turnOff();
        return false;
      }
      this.docs.set(doc._id, doc as unknown as Doc);
      this.listOf(doc.dim, doc.hour).docs.push(doc);
      this.addToDay(doc.dim, doc.value, doc.hour, doc as unknown as Record<string, unknown>);
    }
    for (const list of this.hours.values()) list.sorted = false;
    this.complete = true;
    return true;
  }

  /** Applies a batch's rollup updates (`$setOnInsert` carries dim, value and hour) as the database will. */
  apply(updates: Iterable<readonly [string, CounterUpdate]>): void {
    if (!this.complete) return;
    for (const [id, update] of updates) {
      const known = this.docs.has(id);
      applyUpdate(this.docs, id, update);
      const doc = this.docs.get(id) as unknown as AttentionRollupDoc;
      this.addToDay(doc.dim, doc.value, doc.hour, update.$inc ?? {});
      if (known) continue;
      const list = this.listOf(doc.dim, doc.hour);
      list.docs.push(doc);
      list.sorted = false;
    }
    if (this.docs.size > this.capacity) this.turnOff();
  }

  /**
   * The rollups of `dim` with an hour in [start, end), hour by hour and by value within an hour (the
   * order of the `{dim, hour, value}` index); only those of `values` when given. Undefined when off.
   */
  inRange(
    dim: string,
    values: readonly string[] | null,
    start: number,
    end: number,
  ): AttentionRollupDoc[] | undefined {
    if (!this.complete) return undefined;
    const out: AttentionRollupDoc[] = [];
    const sortedValues = values ? [...new Set(values)].sort() : null;
    for (let hour = Math.ceil(start / HOUR) * HOUR; hour < end; hour += HOUR) {
      if (sortedValues) {
        for (const value of sortedValues) {
          const doc = this.docs.get(`${dim}|${value}|${hour}`);
          if (doc) out.push(doc as unknown as AttentionRollupDoc);
        }
        continue;
      }
      const list = this.hours.get(`${dim}|${hour}`);
      if (!list) continue;
      if (!list.sorted) {
        list.docs.sort(byValue);
        list.sorted = true;
      }
      for (const doc of list.docs) out.push(doc);
    }
    return out;
  }

  /**
   * The rollups of `dim` with an hour in [start, end) summed by day where the range covers all of a
   * day's rollups (one document per value and day, `hour` the day's start), hourly elsewhere: what a
   * total over the range, or per UTC day, needs, in a few documents per value. Undefined when off.
   */
  byDayInRange(dim: string, start: number, end: number): AttentionRollupDoc[] | undefined {
    if (!this.complete) return undefined;
    const out: AttentionRollupDoc[] = [];
    const from = Math.ceil(start / HOUR) * HOUR;
    for (let day = Math.floor(from / DAY) * DAY; day < end; day += DAY) {
      const sums = this.days.get(`${dim}|${day}`);
      if (!sums) continue;
      if (from <= sums.first && sums.last < end) {
        for (const doc of sums.values.values()) out.push(doc);
        continue;
      }
      const hours = this.inRange(dim, null, Math.max(from, day), Math.min(end, day + DAY)) ?? [];
      for (const doc of hours) out.push(doc);
    }
    return out;
  }

  /** Drops every rollup of one dimension value (their stored copies are deleted by the caller: erasure). */
  forgetValue(dim: string, value: string): void {
    const hours = new Set<number>();
    for (const [id, doc] of this.docs) {
      if (doc.dim !== dim || doc.value !== value) continue;
      this.docs.delete(id);
      hours.add(doc.hour as number);
    }
    for (const hour of hours) {
      const list = this.hours.get(`${dim}|${hour}`);
      if (list) list.docs = list.docs.filter((d) => d.value !== value);
      this.days.get(`${dim}|${Math.floor(hour / DAY) * DAY}`)?.values.delete(value);
    }
  }

  turnOff(): void {
    this.complete = false;
    this.docs.clear();
    this.hours.clear();
    this.days.clear();
  }

  private addToDay(dim: string, value: string, hour: number, fields: Record<string, unknown>): void {
    const day = Math.floor(hour / DAY) * DAY;
    const key = `${dim}|${day}`;
    let sums = this.days.get(key);
    if (!sums) {
      sums = { values: new Map(), first: hour, last: hour };
      this.days.set(key, sums);
    }
    sums.first = Math.min(sums.first, hour);
    sums.last = Math.max(sums.last, hour);
    let doc = sums.values.get(value);
    if (!doc) {
      doc = daySumOf(dim, value, day);
      sums.values.set(value, doc);
    }
    const d = doc as unknown as Record<string, number>;
    for (const f of FIELDS) d[f] = d[f]! + (Number(fields[f] ?? 0) || 0);
  }

  private listOf(dim: string, hour: number): HourList {
    const key = `${dim}|${hour}`;
    let list = this.hours.get(key);
    if (!list) {
      list = { docs: [], sorted: true };
      this.hours.set(key, list);
    }
    return list;
  }
}
