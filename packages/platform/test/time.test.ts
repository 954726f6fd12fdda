import { describe, expect, it } from 'vitest';
import {
  HOURS_PER_WEEK,
  isTimeZone,
  LocalDayClock,
  localDayOf,
  localTime,
  timeZoneOffsetMs,
  utcHourOfWeek,
} from '../src/time.js';

const HOUR = 3_600_000;

describe('time zones', () => {
  it('reads local hours in a non-UTC zone across the spring DST change', () => {
    // Europe/Berlin switches from +1 to +2 at 2026-03-29 01:00 UTC (02:00 local → 03:00).
    const before = Date.UTC(2026, 2, 29, 0, 59);
    const after = Date.UTC(2026, 2, 29, 1, 0);
    expect(timeZoneOffsetMs('Europe/Berlin', before)).toBe(HOUR);
    expect(timeZoneOffsetMs('Europe/Berlin', after)).toBe(2 * HOUR);
    expect(localTime('Europe/Berlin', before)).toEqual({ day: 0, hour: 1 });
    expect(localTime('Europe/Berlin', after)).toEqual({ day: 0, hour: 3 });
    // Cached per quarter hour: asking again after another zone still gives the right offset.
    expect(timeZoneOffsetMs('America/New_York', after)).toBe(-4 * HOUR);
    expect(timeZoneOffsetMs('Europe/Berlin', before)).toBe(HOUR);
    expect(timeZoneOffsetMs('Asia/Kolkata', after)).toBe(5.5 * HOUR);
  });

  it('knows IANA zones and refuses anything else', () => {
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('America/Sao_Paulo')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone('')).toBe(false);
    expect(() => timeZoneOffsetMs('Mars/Olympus_Mons', 0)).toThrow();
  });
});

describe('hour of the week', () => {
  it('counts UTC hours of the week from Monday 00:00', () => {
    expect(utcHourOfWeek(Date.UTC(2026, 0, 5, 0))).toBe(0);
    expect(utcHourOfWeek(Date.UTC(2026, 0, 11, 23, 59))).toBe(167);
    expect(HOURS_PER_WEEK).toBe(168);
    expect(utcHourOfWeek(Date.UTC(2026, 10, 29, 0))).toBe(6 * 24); // a Sunday
    expect(utcHourOfWeek(Date.UTC(2026, 11, 1, 13))).toBe(24 + 13); // a Tuesday
  });
});

describe('local days', () => {
  it('keys a day by its local date and bounds it by local midnights', () => {
    // 03:30 UTC on 5 January is still 4 January in New York (UTC-5).
    const at = Date.UTC(2026, 0, 5, 3, 30, 15, 250);
    expect(localDayOf('America/New_York', at)).toEqual({
      key: '2026-01-04',
      start: Date.UTC(2026, 0, 4, 5),
      end: Date.UTC(2026, 0, 5, 5),
    });
    expect(localDayOf('UTC', at)).toEqual({
      key: '2026-01-05',
      start: Date.UTC(2026, 0, 5),
      end: Date.UTC(2026, 0, 6),
    });
    expect(localDayOf('Asia/Kolkata', Date.UTC(2026, 0, 5, 18, 30)).key).toBe('2026-01-06');
  });

  it('caches the current day per zone and moves on when the time leaves it', () => {
    const clock = new LocalDayClock();
    const monday = clock.dayOf('Europe/Berlin', Date.UTC(2026, 0, 5, 12));
    expect(clock.dayOf('Europe/Berlin', Date.UTC(2026, 0, 5, 22, 59))).toBe(monday);
    const tuesday = clock.dayOf('Europe/Berlin', Date.UTC(2026, 0, 5, 23));
    expect(tuesday.key).toBe('2026-01-06');
    // An earlier time is answered without replacing the newest day.
    expect(clock.dayOf('Europe/Berlin', Date.UTC(2026, 0, 5, 12)).key).toBe('2026-01-05');
    expect(clock.dayOf('Europe/Berlin', Date.UTC(2026, 0, 6, 8))).toBe(tuesday);
    expect(clock.dayOf('UTC', Date.UTC(2026, 0, 5, 23)).key).toBe('2026-01-05');
  });
});
