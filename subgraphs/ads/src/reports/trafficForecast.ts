const HOUR_MS = 3_600_000;

/**
 * Forecast traffic by hour of the day, from the requests this process has seen: a count per UTC hour
 * on top of a flat prior (`priorPerHour` requests an hour), so pacing starts even and takes the
 * market's daily shape as it shows. Each campaign reads it in its own time zone.
 */
export class TrafficForecast {
  private readonly counts = new Float64Array(24);

  constructor(private readonly priorPerHour = 100) {}

  observe(at: number): void {
    const h = Math.floor(at / HOUR_MS) % 24;
    this.counts[h]! += 1;
  }

  /** Expected requests by local hour 0..23 for a zone `offsetMs` ahead of UTC (rounded to whole hours). */
  byLocalHour(offsetMs: number): number[] {
    const shift = Math.round(offsetMs / HOUR_MS);
    return Array.from(
      { length: 24 },
      (_, local) => this.priorPerHour + this.counts[(((local - shift) % 24) + 24) % 24]!,
    );
  }
}
