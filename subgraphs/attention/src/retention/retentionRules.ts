import { HISTORY_DAYS } from '../engagement/engagement.js';
import { hourOf } from '../projection/rollups.js';

const DAY = 86_400_000;

/**
 * The hour before which raw events (and views, sessions) are swept: `retentionDays` before `now`,
 * down to the start of its hour, so every hourly rollup is either wholly before the cutoff (kept, its
 * events gone) or wholly after it (rebuildable from events). Pure.
 */
export function retentionCutoff(now: number, retentionDays: number): number {
  return hourOf(now - retentionDays * DAY);
}

/**
 * The start of the oldest hour a profile's `hours` map still needs: the engagement predictions read
 * only the last HISTORY_DAYS (28) days of it. Pure.
 */
export function profileHoursCutoff(now: number): number {
  return hourOf(now - HISTORY_DAYS * DAY);
}

/** The `hours.<hour>` paths of a profile's hour map older than `before` (what an `$unset` removes). Pure. */
export function staleHourPaths(
  hours: Readonly<Record<string, number>> | undefined,
  before: number,
): string[] {
  if (!hours) return [];
  const out: string[] = [];
  for (const key of Object.keys(hours)) {
    const at = Number(key);
    if (!Number.isFinite(at) || at < before) out.push(`hours.${key}`);
  }
  return out;
}
