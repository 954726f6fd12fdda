import { describe, expect, it } from 'vitest';
import { profileHoursCutoff, retentionCutoff, staleHourPaths } from '../src/retention/retentionRules.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('retention rules', () => {
  it('cuts raw events at the start of the hour retentionDays ago', () => {
    const now = Date.UTC(2026, 11, 4, 10, 37, 12);
    expect(retentionCutoff(now, 90)).toBe(Date.UTC(2026, 11, 4, 10) - 90 * DAY);
    expect(retentionCutoff(now, 90) % HOUR).toBe(0);
  });

  it('keeps the 28 days of profile hours the predictions read', () => {
    const now = Date.UTC(2026, 11, 4, 10, 5);
    expect(profileHoursCutoff(now)).toBe(Date.UTC(2026, 11, 4, 10) - 28 * DAY);
  });

  it('names the hour entries before the cutoff, and unreadable keys, for an $unset', () => {
    const before = 100 * HOUR;
    const hours = { [String(99 * HOUR)]: 3, [String(100 * HOUR)]: 1, [String(130 * HOUR)]: 2, junk: 1 };
    expect(staleHourPaths(hours, before).sort()).toEqual([`hours.${99 * HOUR}`, 'hours.junk']);
    expect(staleHourPaths(undefined, before)).toEqual([]);
  });
});
