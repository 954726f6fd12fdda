import { GLOBO_HEADER, readGloboClicks } from './globo.js';
import { type EventLog, fail, LogBuilder, readLines } from './lines.js';
import type { EngagementEvent } from './types.js';

export type EventFormat = 'globo' | 'csv' | 'jsonl';
export const EVENT_FORMATS: readonly EventFormat[] = ['globo', 'csv', 'jsonl'];

/** Epoch ms from epoch milliseconds, epoch seconds (below 1e11) or an ISO-8601 string. */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number')
    return Number.isFinite(value) ? (Math.abs(value) < 1e11 ? value * 1000 : value) : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const s = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) return parseTimestamp(Number(s));
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}

function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t;
}

/**
 * Reads a CSV with a header naming `user_id` and `timestamp` (epoch ms, epoch s or ISO-8601) and
 * optionally `weight`, in any order; other columns are ignored. Fields may be double-quoted but may not
 * contain commas.
 */
export async function readEventsCsv(path: string): Promise<EventLog> {
  const log = new LogBuilder();
  let lineNo = 0;
  let userCol = -1;
  let timeCol = -1;
  let weightCol = -1;
  for await (const line of readLines(path)) {
    lineNo++;
    if (line.trim() === '') continue;
    const cols = line.split(',').map(unquote);
    if (userCol < 0) {
      userCol = cols.indexOf('user_id');
      timeCol = cols.indexOf('timestamp');
      weightCol = cols.indexOf('weight');
      if (userCol < 0 || timeCol < 0)
        fail(path, lineNo, 'the header must name the columns user_id and timestamp');
      continue;
    }
    const user = cols[userCol];
    const at = parseTimestamp(cols[timeCol]);
    if (!user || at === undefined) fail(path, lineNo, 'bad user_id or timestamp');
    const event: EngagementEvent = { at };
    if (weightCol >= 0 && cols[weightCol] !== undefined && cols[weightCol] !== '') {
      const weight = Number(cols[weightCol]);
      if (!Number.isFinite(weight) || weight < 0) fail(path, lineNo, 'weight must be a non-negative number');
      event.weight = weight;
    }
    log.add(user, event);
  }
  return log.build();
}

/** Reads JSON lines `{ "userId": string, "occurredAt": ISO-8601 or epoch ms, "weight"?: number }`. */
export async function readEventsJsonl(path: string): Promise<EventLog> {
  const log = new LogBuilder();
  let lineNo = 0;
  for await (const line of readLines(path)) {
    lineNo++;
    if (line.trim() === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      fail(path, lineNo, 'not valid JSON');
    }
    const r = row as { userId?: unknown; occurredAt?: unknown; weight?: unknown };
    const at = parseTimestamp(r.occurredAt);
    if (typeof r.userId !== 'string' || r.userId === '' || at === undefined) {
      fail(path, lineNo, 'expected { "userId": string, "occurredAt": ISO-8601 or epoch ms }');
    }
    const event: EngagementEvent = { at };
    if (r.weight !== undefined) {
      if (typeof r.weight !== 'number' || !Number.isFinite(r.weight) || r.weight < 0) {
        fail(path, lineNo, 'weight must be a non-negative number');
      }
      event.weight = r.weight;
    }
    log.add(r.userId, event);
  }
  return log.build();
}

/** Guesses the format: JSON lines by a leading `{`, Globo by its header, else generic CSV. */
export async function detectFormat(path: string): Promise<EventFormat> {
  for await (const line of readLines(path)) {
    if (line.trim() === '') continue;
    if (line.trimStart().startsWith('{')) return 'jsonl';
    return line.trim() === GLOBO_HEADER ? 'globo' : 'csv';
  }
  throw new Error(`${path} is empty`);
}

/** Reads an event log in the given format (default: detected). */
export async function readEventLog(path: string, format?: EventFormat): Promise<EventLog> {
  const f = format ?? (await detectFormat(path));
  if (f === 'globo') return readGloboClicks(path);
  if (f === 'csv') return readEventsCsv(path);
  if (f === 'jsonl') return readEventsJsonl(path);
  throw new Error(`Unknown event format "${String(f)}"; valid formats: ${EVENT_FORMATS.join(', ')}`);
}
