import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/core/backend.js';
import { createRng } from '../../src/core/random.js';
import { resolveEngagementConfig } from '../../src/engagement/config.js';
import { EngagementModel } from '../../src/engagement/model.js';
import { HOUR_MS, type UserHistory } from '../../src/engagement/types.js';

const dir = mkdtempSync(join(tmpdir(), 'ml-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
});

const T0 = Date.UTC(2024, 2, 4);

function sample(n: number, seed: number): { histories: UserHistory[]; slots: number[] } {
  const rng = createRng(seed);
  const histories: UserHistory[] = [];
  const slots: number[] = [];
  for (let i = 0; i < n; i++) {
    // Histories of 0..90 events (some past maxEvents), with weights on some.
    const count = Math.floor(rng.next() ** 3 * 90);
    const events = Array.from({ length: count }, () => ({
      at: T0 + Math.floor(rng.next() * 72 * HOUR_MS),
      ...(rng.next() < 0.5 ? { weight: Math.floor(rng.next() * 300) } : {}),
    })).sort((a, b) => a.at - b.at);
    histories.push({ events, asOf: T0 + 72 * HOUR_MS });
    slots.push(T0 + (72 + Math.floor(rng.next() * 12)) * HOUR_MS);
  }
  return { histories, slots };
}

describe('EngagementModel', () => {
  it('predicts probabilities without leaking tensors across repeated calls', async () => {
    const model = EngagementModel.create({ predictBatchSize: 64, selfAttention: true });
    const { histories, slots } = sample(300, 1);
    const first = await model.predict(histories, slots);
    expect(first).toHaveLength(300);
    expect(first.every((p) => p > 0 && p < 1)).toBe(true);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await model.predict(histories, slots);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before - model.trainableVariables().length);
    await expect(model.predict(histories, slots)).rejects.toThrow(/disposed/);
  });

  it('gives the same prediction for a pair alone or in any batch', async () => {
    const model = EngagementModel.create({ predictBatchSize: 7 });
    const { histories, slots } = sample(40, 2);
    const together = await model.predict(histories, slots);
    const alone = await model.predict([histories[5]!], [slots[5]!]);
    expect(alone[0]).toBeCloseTo(together[5]!, 5);
    model.dispose();
  });

  it('ignores events at or after asOf and the slot', async () => {
    const model = EngagementModel.create();
    const base = { events: [{ at: T0 }, { at: T0 + 2 * HOUR_MS }], asOf: T0 + 3 * HOUR_MS };
    const withFuture = {
      ...base,
      events: [...base.events, { at: T0 + 3.5 * HOUR_MS }, { at: T0 + 5 * HOUR_MS }],
    };
    const slot = T0 + 5 * HOUR_MS;
    const [a, b] = await model.predict([base, withFuture], [slot, slot]);
    expect(b).toBe(a);
    model.dispose();
  });

  it('round-trips through save and load with identical predictions', async () => {
    const model = EngagementModel.create({ dim: 16, heads: 2, hidden: 8, selfAttention: true, seed: 5 });
    const { histories, slots } = sample(120, 3);
    const before = await model.predict(histories, slots);
    await model.save(join(dir, 'v1'));
    const loaded = await EngagementModel.load(join(dir, 'v1'));
    expect(loaded.config).toEqual(model.config);
    expect(await loaded.predict(histories, slots)).toEqual(before);
    model.dispose();
    loaded.dispose();
  });

  it('validates its config and inputs, naming the valid values', async () => {
    expect(() => resolveEngagementConfig({ dim: 30, heads: 4 })).toThrow(/multiple of heads/);
    expect(() => resolveEngagementConfig({ maxEvents: 0 })).toThrow(
      /maxEvents must be an integer in 1\.\.1024/,
    );
    expect(() => resolveEngagementConfig({ depth: 2 } as never)).toThrow(
      /unknown field "depth"; valid fields: maxEvents/,
    );
    await expect(EngagementModel.load(join(dir, 'missing'))).rejects.toThrow();
    const model = EngagementModel.create();
    await expect(model.predict([{ events: [] }], [])).rejects.toThrow(/one slot per history/);
    model.dispose();
  });
});

describe('selectBackend', () => {
  it('falls back to wasm here and fails clearly when a forced backend is missing or unknown', async () => {
    await expect(selectBackend({ force: 'webgpu' })).rejects.toThrow(/valid values: tensorflow, wasm, cpu/);
    await expect(selectBackend({ force: 'tensorflow' })).rejects.toThrow(
      /"tensorflow" is not available: @tensorflow\/tfjs-node-gpu: .*; @tensorflow\/tfjs-node: /,
    );
    const cpu = await selectBackend({ force: 'cpu' });
    expect([cpu.backend, cpu.device, cpu.tf.getBackend()]).toEqual(['cpu', 'cpu', 'cpu']);
    const auto = await selectBackend();
    expect([auto.backend, auto.tf.getBackend()]).toEqual(['wasm', 'wasm']);
    expect(await selectBackend()).toBe(auto);
  });
});
