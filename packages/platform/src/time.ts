/**
 * The mesh's time conventions, in one place: the UTC hour of the week that attention histograms and
 * ad decisions share, local days in an advertiser's time zone, and time-zone offsets.
 */

export const HOURS_PER_WEEK = 168;
const DAY_MS = 86_400_000;
const QUARTER_HOUR_MS = 15 * 60_000;

/**
 * Hour of the week in UTC, 0 = Monday 00:00 … 167 = Sunday 23:00: the index of attention's week-hour
 * histograms and of a decision's `engagementByHour`.
 */
export function utcHourOfWeek(at: number): number {
  const d = new Date(at);
  return ((d.getUTCDay() + 6) % 7) * 24 + d.getUTCHours();
}

/** Whether `tz` is an IANA time zone this runtime knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Local wall-clock parts of `at` in `timeZone` (`Intl` is slow: tens of µs a call). */
function localParts(timeZone: string, at: number) {
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(at)) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  return { year: p.year!, month: p.month!, day: p.day!, hour: p.hour!, minute: p.minute!, second: p.second! };
}

const offsets = new Map<string, { bucket: number; offsetMs: number }>();

/**
 * The zone's offset from UTC at `at` (local wall time − UTC), in ms; throws on an unknown zone. Cached
 * per zone for the quarter hour it was computed in: every zone changes its offset on a quarter-hour
 * boundary, so a cached offset is exact, DST included.
 */
export function timeZoneOffsetMs(timeZone: string, at: number): number {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return 0;
  const bucket = Math.floor(at / QUARTER_HOUR_MS);
  const cached = offsets.get(timeZone);
  if (cached && cached.bucket === bucket) return cached.offsetMs;
  const p = localParts(timeZone, at);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  const offsetMs = wall - (at - (at % 60_000));
  offsets.set(timeZone, { bucket, offsetMs });
  return offsetMs;
}

export interface LocalTime {
  /** 0 = Sunday .. 6 = Saturday. */
  day: number;
  hour: number;
}

/** Local day of week and hour in an IANA time zone (campaign schedules), from the zone's offset. */
export function localTime(timeZone: string, at: number): LocalTime {
  const local = at + timeZoneOffsetMs(timeZone, at);
  const days = Math.floor(local / DAY_MS);
  // 1970-01-01 was a Thursday (4).
  return { day: (((days + 4) % 7) + 7) % 7, hour: Math.floor((local - days * DAY_MS) / 3_600_000) };
}

/** A local day: daily budgets and pacing reset at the advertiser's local midnight. */
export interface LocalDay {
  /** YYYY-MM-DD in the time zone (the day key of spend counters). */
  key: string;
  /** Epoch ms of local midnight and of the next one. */
  start: number;
  end: number;
}

/** The local day containing `at`. Days are taken as 24 h from local midnight (DST days are off by an hour). */
export function localDayOf(timeZone: string, at: number): LocalDay {
  const p = localParts(timeZone, at);
  const sinceMidnight = ((p.hour * 60 + p.minute) * 60 + p.second) * 1000 + (at % 1000);
  const start = at - sinceMidnight;
  const pad = (n: number) => String(n).padStart(2, '0');
  return { key: `${p.year}-${pad(p.month)}-${pad(p.day)}`, start, end: start + DAY_MS };
}

/** `localDayOf` cached per time zone, recomputed only when the time leaves the cached day. */
export class LocalDayClock {
  private readonly days = new Map<string, LocalDay>();

  dayOf(timeZone: string, at: number): LocalDay {
    const cached = this.days.get(timeZone);
    if (cached && at >= cached.start && at < cached.end) return cached;
    const day = localDayOf(timeZone, at);
    // Only the newest day is kept: decisions move forward in time.
    if (!cached || day.start >= cached.start) this.days.set(timeZone, day);
    return day;
  }
}
