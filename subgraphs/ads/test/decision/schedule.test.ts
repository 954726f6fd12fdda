import { describe, expect, it } from 'vitest';
import { isInSchedule, isRunning } from '../../src/decision/index.js';
import { campaign } from './fixtures.js';

// Local time itself (offsets, DST, hours of the week) is tested with the platform's time module.
describe('schedules', () => {
  it('opens a window at its start hour and closes it at its end hour, in the advertiser zone', () => {
    // Mon..Fri 09:00-17:00 in New York (UTC-5 in January).
    const schedule = [{ days: [1, 2, 3, 4, 5], startHour: 9, endHour: 17 }];
    const tz = 'America/New_York';
    const monday = (h: number, m = 0) => Date.UTC(2026, 0, 5, h + 5, m);
    expect(isInSchedule(schedule, tz, monday(8, 59))).toBe(false);
    expect(isInSchedule(schedule, tz, monday(9, 0))).toBe(true);
    expect(isInSchedule(schedule, tz, monday(16, 59))).toBe(true);
    expect(isInSchedule(schedule, tz, monday(17, 0))).toBe(false);
    // Saturday 10:00 local is Saturday 15:00 UTC: closed; Friday 23:30 local is Saturday UTC but Friday there.
    expect(isInSchedule(schedule, tz, Date.UTC(2026, 0, 10, 15))).toBe(false);
    expect(isInSchedule([{ days: [5], startHour: 23, endHour: 24 }], tz, Date.UTC(2026, 0, 10, 4, 30))).toBe(
      true,
    );
    expect(isInSchedule([], tz, monday(3))).toBe(true);
  });

  it('keeps a window on local hours when the offset changes (DST-safe)', () => {
    const schedule = [{ days: [0, 1, 2, 3, 4, 5, 6], startHour: 9, endHour: 10 }];
    // 09:30 Berlin is 08:30 UTC in winter and 07:30 UTC in summer.
    expect(isInSchedule(schedule, 'Europe/Berlin', Date.UTC(2026, 2, 28, 8, 30))).toBe(true);
    expect(isInSchedule(schedule, 'Europe/Berlin', Date.UTC(2026, 2, 30, 7, 30))).toBe(true);
    expect(isInSchedule(schedule, 'Europe/Berlin', Date.UTC(2026, 2, 30, 8, 30))).toBe(false);
  });

  it('runs from startAt inclusive to endAt exclusive, only when active', () => {
    const c = campaign({ id: 'x', startAt: 1000, endAt: 2000 });
    expect(isRunning(c, 999)).toBe(false);
    expect(isRunning(c, 1000)).toBe(true);
    expect(isRunning(c, 1999)).toBe(true);
    expect(isRunning(c, 2000)).toBe(false);
    expect(isRunning({ ...c, endAt: null }, 10 ** 13)).toBe(true);
    expect(isRunning({ ...c, status: 'PAUSED' }, 1500)).toBe(false);
  });
});
