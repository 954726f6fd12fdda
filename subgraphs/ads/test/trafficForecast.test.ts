import { describe, expect, it } from 'vitest';
import { pacingCurve } from '../src/decision/index.js';
import { TrafficForecast } from '../src/reports/trafficForecast.js';

const HOUR = 3_600_000;

describe('TrafficForecast', () => {
  it('starts flat, then takes the shape of the requests it sees, in each time zone', () => {
    const f = new TrafficForecast(10);
    expect(new Set(f.byLocalHour(0))).toEqual(new Set([10]));
    const day = Date.UTC(2026, 10, 29);
    for (let i = 0; i < 90; i++) f.observe(day + 20 * HOUR + i * 1000); // 20:00 UTC is busy
    const utc = f.byLocalHour(0);
    expect(utc[20]).toBe(100);
    expect(utc[19]).toBe(10);
    // Berlin in winter is UTC+1: the busy hour is 21:00 there; New York (UTC-5): 15:00.
    expect(f.byLocalHour(HOUR)[21]).toBe(100);
    expect(f.byLocalHour(-5 * HOUR)[15]).toBe(100);
    // Even pacing then plans ten times the spend in the busy hour.
    const curve = pacingCurve(utc, 'EVEN');
    expect(curve[20]! / curve[19]!).toBeCloseTo(10);
  });
});
