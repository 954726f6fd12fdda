import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/random.js';
import { activeHours, FrequencyBaseline, fitBetaBinomial } from '../../src/engagement/baseline.js';
import { buildExamples } from '../../src/engagement/examples.js';
import { horizonStart, visibleCount } from '../../src/engagement/features.js';
import { firstHourOf, forecastTask } from '../../src/engagement/split.js';
import { HOUR_MS, type UserHistory } from '../../src/engagement/types.js';

const T0 = Date.UTC(2024, 0, 1, 0, 0, 0);
const at = (hour: number, minute = 0) => T0 + hour * HOUR_MS + minute * 60_000;
const history = (...hours: number[]): UserHistory => ({
  events: hours.map((h) => ({ at: at(Math.floor(h), (h % 1) * 60) })),
});

function randomLog(seed: number, users: number, hours: number): UserHistory[] {
  const rng = createRng(seed);
  return Array.from({ length: users }, () => {
    const events: { at: number }[] = [];
    for (let h = 0; h < hours; h++)
      if (rng.next() < 0.15) events.push({ at: at(h, Math.floor(rng.next() * 60)) });
    return { events };
  });
}

describe('buildExamples', () => {
  it('labels hour t by an event in t, from events strictly before the cutoff', () => {
    const users = [history(0.5, 3.25, 5.5), history(4.5)];
    const set = buildExamples(
      { histories: users, start: T0, end: at(6) },
      { firstCutoffHours: 1, horizonHours: 2 },
    );
    const rows = set.histories.map((h, i) => ({
      cutoff: (h.asOf! - T0) / HOUR_MS,
      t: (set.slots[i]! - T0) / HOUR_MS,
      label: set.labels[i],
      user: h.events === users[0]!.events || h.events[0]!.at === at(0, 30) ? 0 : 1,
    }));
    // User 0 from cutoff 1 (first event in hour 0); user 1 from cutoff 5.
    expect(rows.filter((r) => r.user === 0)).toHaveLength(9); // cutoffs 1..4 x 2 targets + cutoff 5 x 1
    expect(rows.filter((r) => r.user === 1)).toEqual([{ cutoff: 5, t: 5, label: 0, user: 1 }]);
    expect(rows.filter((r) => r.user === 0 && r.label === 1).map((r) => `${r.cutoff}->${r.t}`)).toEqual([
      '2->3',
      '3->3',
      '4->5',
      '5->5',
    ]);
    expect([...set.weights].every((w) => w === 1)).toBe(true);
  });

  it('reads nothing at or after the end of the training window, and no history reaches its slot', () => {
    const end = at(30);
    const set = buildExamples(
      { histories: randomLog(3, 60, 48), start: T0, end },
      { maxExamples: 2_000, seed: 5 },
    );
    expect(set.labels.length).toBeGreaterThan(1_500);
    expect(set.labels.length).toBeLessThan(2_500);
    for (let i = 0; i < set.histories.length; i++) {
      const h = set.histories[i]!;
      expect(h.events.every((e) => e.at < end)).toBe(true);
      expect(set.slots[i]!).toBeLessThan(end);
      expect(h.asOf!).toBeLessThanOrEqual(set.slots[i]!);
      const visible = visibleCount(h, horizonStart(h, set.slots[i]!));
      if (visible > 0) expect(h.events[visible - 1]!.at).toBeLessThan(h.asOf!);
    }
  });

  it('subsamples with inverse-rate weights that keep the weighted positive rate', () => {
    const users = randomLog(4, 200, 40);
    const full = buildExamples({ histories: users, start: T0, end: at(40) }, { maxExamples: 1e9 });
    const sampled = buildExamples(
      { histories: users, start: T0, end: at(40) },
      { maxExamples: 5_000, seed: 9 },
    );
    const rate = (s: typeof full) => {
      let p = 0;
      let w = 0;
      for (let i = 0; i < s.labels.length; i++) {
        p += s.labels[i]! * s.weights[i]!;
        w += s.weights[i]!;
      }
      return p / w;
    };
    expect(sampled.positiveRate).toBeLessThan(1);
    expect(sampled.negativeRate).toBeLessThan(sampled.positiveRate);
    // Unbiased in expectation; about 3% relative noise at this size.
    expect(Math.abs(rate(sampled) / rate(full) - 1)).toBeLessThan(0.1);
  });
});

describe('forecastTask', () => {
  it('keeps users with a training event, cuts their histories at the cutoff and labels the test hours', () => {
    const users = [history(1.5, 10.5, 12.25, 13.5), history(12.5), history(2.5, 3.5)];
    const start = firstHourOf(users);
    expect(start).toBe(at(1));
    const task = forecastTask(users, start, at(12), 3);
    expect([...task.users]).toEqual([0, 2]);
    expect(task.labels.length).toBe(6);
    expect([...task.labels]).toEqual([1, 1, 0, 0, 0, 0]);
    for (const h of task.histories) {
      expect(h.asOf).toBe(at(12));
      expect(h.events.every((e) => e.at < at(12))).toBe(true);
    }
    expect(task.histories[0]!.events).toHaveLength(2);
  });

  it('never lets a test-window event into a history on a random log', () => {
    const cutoff = at(36);
    const task = forecastTask(randomLog(11, 100, 48), T0, cutoff, 12);
    expect(task.histories.every((h) => h.events.every((e) => e.at < cutoff))).toBe(true);
    expect(task.slots.every((s) => s >= cutoff && s < cutoff + 12 * HOUR_MS)).toBe(true);
  });
});

describe('frequency baseline', () => {
  it('counts active hours and shrinks rates towards the fitted prior', () => {
    expect(activeHours(history(1.1, 1.9, 2.5, 40), T0, at(36))).toBe(2);
    const rng = createRng(2);
    // Rates from Beta(2, 18) (mean 0.1), 36 trials each.
    const counts = Array.from({ length: 3_000 }, () => {
      let g1 = 0;
      let g2 = 0;
      for (let i = 0; i < 2; i++) g1 -= Math.log(rng.next());
      for (let i = 0; i < 18; i++) g2 -= Math.log(rng.next());
      const p = g1 / (g1 + g2);
      let k = 0;
      for (let i = 0; i < 36; i++) if (rng.next() < p) k++;
      return k;
    });
    const prior = fitBetaBinomial(counts, 36);
    expect(prior.alpha / (prior.alpha + prior.beta)).toBeCloseTo(0.1, 1);
    expect(prior.alpha + prior.beta).toBeGreaterThan(10);
    expect(prior.alpha + prior.beta).toBeLessThan(40);
    const base = FrequencyBaseline.fit([history(1.5), history(1.5, 2.5, 3.5)], T0, at(36));
    const [p1, p3] = base.predict([history(1.5), history(1.5, 2.5, 3.5)], [at(40), at(40)]);
    expect(p3!).toBeGreaterThan(p1!);
  });
});
