import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { AttentionEventInput } from './eventRules.js';

/** Readers that turn event files into attention events for `importEvents`. */

async function* lines(path: string): AsyncGenerator<string> {
  const raw = createReadStream(path);
  const input = path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (line.trim() !== '') yield line;
  }
}

function parseTime(value: string): number {
  const n = Number(value);
  if (Number.isFinite(n) && value.trim() !== '') return n < 1e11 ? n * 1000 : n; // seconds or ms
  return Date.parse(value);
}

/**
 * The Globo.com G1 clicks format (`user_id,session_id,session_start,session_size,click_article_id,
 * click_timestamp,…`): each click opened an article, so it becomes an IMPRESSION and a CLICK of that
 * article (ids prefixed `globo-`), in a view of its own.
 */
export async function* globoEvents(path: string): AsyncGenerator<AttentionEventInput> {
  let header: string[] | null = null;
  for await (const line of lines(path)) {
    const cols = line.split(',');
    if (!header) {
      header = cols;
      continue;
    }
    const get = (name: string) => cols[header!.indexOf(name)] ?? '';
    const user = get('user_id');
    const session = get('session_id');
    const article = get('click_article_id');
    const at = Number(get('click_timestamp'));
    const view = `globo-${session}-${article}-${at}`;
    const base = {
      userId: `globo-${user}`,
      sessionId: `globo-${session}`,
      impressionId: view,
      target: { type: 'ITEM', id: `globo-${article}` },
      occurredAt: at,
    };
    yield { ...base, clientId: `${view}-i`, type: 'IMPRESSION' };
    yield { ...base, clientId: `${view}-c`, type: 'CLICK' };
  }
}

/**
 * A generic CSV with a header naming at least `user_id` and `timestamp` (seconds, ms or ISO); optional
 * `item_id`, `category`, `type` (default IMPRESSION), `session_id`, `event_id`.
 */
export async function* csvEvents(path: string): AsyncGenerator<AttentionEventInput> {
  let header: string[] | null = null;
  let n = 0;
  for await (const line of lines(path)) {
    const cols = line.split(',').map((c) => c.trim());
    if (!header) {
      header = cols.map((c) => c.toLowerCase());
      if (!header.includes('user_id') || !header.includes('timestamp')) {
        throw new Error(`${path}: the header must name user_id and timestamp, got ${line}`);
      }
      continue;
    }
    const get = (name: string) => {
      const i = header!.indexOf(name);
      return i >= 0 ? (cols[i] ?? '') : '';
    };
    n++;
    const id = get('event_id') || `csv-${n}`;
    yield {
      clientId: id,
      impressionId: id,
      userId: get('user_id'),
      sessionId: get('session_id') || `csv-${get('user_id')}`,
      target: { type: 'ITEM', id: get('item_id') || 'unknown' },
      category: get('category') || null,
      type: get('type') || 'IMPRESSION',
      occurredAt: parseTime(get('timestamp')),
    };
  }
}

/** JSON lines, each an AttentionEventInput with `occurredAt` as ISO string or epoch ms. */
export async function* jsonlEvents(path: string): AsyncGenerator<AttentionEventInput> {
  for await (const line of lines(path)) {
    const e = JSON.parse(line) as AttentionEventInput & { occurredAt: number | string };
    yield { ...e, occurredAt: typeof e.occurredAt === 'string' ? parseTime(e.occurredAt) : e.occurredAt };
  }
}

export const EVENT_FORMATS = { globo: globoEvents, csv: csvEvents, jsonl: jsonlEvents } as const;
export type EventFormat = keyof typeof EVENT_FORMATS;

/** The format a file name suggests. */
export function formatOf(path: string): EventFormat {
  if (/globo/i.test(path)) return 'globo';
  if (/\.jsonl(\.gz)?$/.test(path)) return 'jsonl';
  return 'csv';
}

/** At most `limit` items of a stream. */
export async function* take<T>(source: AsyncIterable<T>, limit: number): AsyncGenerator<T> {
  if (limit <= 0) return;
  let n = 0;
  for await (const item of source) {
    yield item;
    if (++n >= limit) return;
  }
}
