/**
 * Local day of week and hour in an IANA time zone, from the zone's UTC offset. `Intl` is slow (tens of
 * µs a call), so the offset is cached per zone for the quarter hour it was computed in: every zone
 * changes its offset on a quarter-hour boundary, so a cached offset is exact, DST included.
 */

const QUARTER_HOUR = 15 * 60_000;
const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, { bucket: number; offsetMs: number }>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's offset from UTC at `at` (local wall time − UTC), in ms. Throws on an unknown zone. */
export function timeZoneOffsetMs(timeZone: string, at: number): number {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return 0;
  const bucket = Math.floor(at / QUARTER_HOUR);
  const cached = offsets.get(timeZone);
  if (cached && cached.bucket === bucket) return cached.offsetMs;
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(at)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!);
  const offsetMs = wall - (at - (at % 60_000));
  offsets.set(timeZone, { bucket, offsetMs });
  return offsetMs;
}

export interface LocalTime {
  /** 0 = Sunday .. 6 = Saturday. */
  day: number;
  hour: number;
}

const DAY_MS = 86_400_000;

export function localTime(timeZone: string, at: number): LocalTime {
  const local = at + timeZoneOffsetMs(timeZone, at);
  const days = Math.floor(local / DAY_MS);
  // 1970-01-01 was a Thursday (4).
  return { day: (((days + 4) % 7) + 7) % 7, hour: Math.floor((local - days * DAY_MS) / 3_600_000) };
}

/** UTC hour of the week counted from Monday 00:00 (the attention subgraph's week-hour histograms). */
export function utcHourOfWeek(at: number): number {
  const d = new Date(at);
  return ((d.getUTCDay() + 6) % 7) * 24 + d.getUTCHours();
}
