import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/core/backend.js';
import { createRng } from '../../src/core/random.js';
import { auc, logLoss } from '../../src/core/training/metrics.js';
import { FrequencyBaseline } from '../../src/engagement/baseline.js';
import { clipHistory } from '../../src/engagement/examples.js';
import { forecastTask } from '../../src/engagement/split.js';
import { trainEngagementModel } from '../../src/engagement/train.js';
import { HOUR_MS, type UserHistory } from '../../src/engagement/types.js';

beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
});

/**
 * Users active at their own fixed hours of day: each has one to four habitual hours and is active at each
 * with probability 0.8 per day, plus rare noise. The frequency baseline knows how active a user is but
 * not when; a model that attends to the hour of day of past events should rank far better.
 */
function habitualLog(users: number, days: number, seed: number): { histories: UserHistory[]; start: number } {
  const rng = createRng(seed);
  const start = Date.UTC(2024, 0, 1);
  const histories = Array.from({ length: users }, () => {
    const habits = new Set(Array.from({ length: 1 + rng.int(4) }, () => rng.int(24)));
    const events: { at: number }[] = [];
    for (let h = 0; h < days * 24; h++) {
      if (rng.next() < (habits.has(h % 24) ? 0.8 : 0.01)) {
        events.push({ at: start + h * HOUR_MS + rng.int(HOUR_MS) });
      }
    }
    return { events };
  });
  return { histories, start };
}

describe('engagement model on habitual users', () => {
  it('beats the per-user frequency baseline by a clear AUC margin', async () => {
    const { histories, start } = habitualLog(300, 4, 17);
    const end = start + 72 * HOUR_MS;
    const train = histories.map((h) => clipHistory(h, start, end));
    const { model } = await trainEngagementModel(
      { histories: train, start, end },
      {
        epochs: 3,
        batchSize: 128,
        lr: 0.01,
        maxExamples: 20_000,
        horizonHours: 24,
        seed: 3,
        model: { dim: 16, heads: 2, hidden: 16 },
      },
    );
    const task = forecastTask(histories, start, end, 24);
    const modelProbs = await model.predict(task.histories, task.slots);
    const baseline = FrequencyBaseline.fit(
      Array.from(task.users, (u) => train[u]!),
      start,
      end,
    ).predict(task.histories, task.slots);
    const modelAuc = auc(task.labels, modelProbs);
    const baseAuc = auc(task.labels, baseline);
    expect(modelAuc).toBeGreaterThan(baseAuc + 0.15);
    expect(modelAuc).toBeGreaterThan(0.85);
    expect(logLoss(task.labels, modelProbs)).toBeLessThan(logLoss(task.labels, baseline));
    model.dispose();
  });
});
