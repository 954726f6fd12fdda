/** The advertiser's local day: daily budgets and pacing reset at local midnight. */
export interface LocalDay {
  /** YYYY-MM-DD in the time zone. */
  key: string;
  /** Epoch ms of local midnight and of the next one. */
  start: number;
  end: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Local wall-clock parts of `ms` in `tz`. */
export function localParts(tz: string, ms: number) {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(ms)) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  return {
    year: p.year!,
    month: p.month!,
    day: p.day!,
    hour: p.hour!,
    minute: p.minute!,
    second: p.second!,
  };
}

/** The local day containing `ms`. Days are taken as 24 h from local midnight (DST days are off by an hour). */
export function localDayOf(tz: string, ms: number): LocalDay {
  const p = localParts(tz, ms);
  const sinceMidnight = ((p.hour * 60 + p.minute) * 60 + p.second) * 1000 + (ms % 1000);
  const start = ms - sinceMidnight;
  const pad = (n: number) => String(n).padStart(2, '0');
  return { key: `${p.year}-${pad(p.month)}-${pad(p.day)}`, start, end: start + 24 * 3600 * 1000 };
}

/** `localDayOf` cached per time zone, recomputed only when the time leaves the cached day. */
export class LocalDayClock {
  private readonly days = new Map<string, LocalDay>();

  dayOf(tz: string, ms: number): LocalDay {
    const cached = this.days.get(tz);
    if (cached && ms >= cached.start && ms < cached.end) return cached;
    const day = localDayOf(tz, ms);
    // Only the newest day is kept: decisions move forward in time.
    if (!cached || day.start >= cached.start) this.days.set(tz, day);
    return day;
  }
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
