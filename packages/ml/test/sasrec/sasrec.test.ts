import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/core/backend.js';
import { createRng } from '../../src/core/random.js';
import { latestVersion, saveVersion } from '../../src/core/registry.js';
import { buildVocabulary, leaveOneOut, readSequences } from '../../src/sasrec/data.js';
import {
  evaluateRanking,
  evaluationSet,
  popularityScorer,
  type RankingMetrics,
  stageInput,
} from '../../src/sasrec/evaluate.js';
import { groupByLength, leftPad, SASREC_MODEL_NAME, SasRecModel } from '../../src/sasrec/model.js';
import { trainSasRec } from '../../src/sasrec/train.js';

const dir = mkdtempSync(join(tmpdir(), 'ml-sasrec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
});

/**
 * Users walk one of a few item cycles (item k of a cycle is followed by item k+1, with 10% random jumps):
 * the next item is predictable from the last one, while popularity is nearly flat.
 */
function cycleFixture(users: number, items: number, seed: number): string[][] {
  const rng = createRng(seed);
  const cycles = 4;
  const per = items / cycles;
  const out: string[][] = [];
  for (let u = 0; u < users; u++) {
    const c = rng.int(cycles);
    let k = rng.int(per);
    const length = 5 + rng.int(12);
    const seq: string[] = [];
    for (let t = 0; t < length; t++) {
      seq.push(`i${c * per + k}`);
      k = rng.next() < 0.1 ? rng.int(per) : (k + 1) % per;
    }
    out.push(seq);
  }
  return out;
}

describe('SASRec evaluation protocol', () => {
  const sequences = [['a', 'b', 'c', 'd', 'e'], ['c', 'a'], ['e', 'd', 'b'], ['f']];
  const itemIds = buildVocabulary(sequences);

  it('reads "user item" lines grouped by user in file order, ids kept as strings', async () => {
    const file = join(dir, 'seq.txt');
    writeFileSync(file, '# comment\nu1 10\nu2 7\n\nu1 2\nu1 10\n');
    const data = await readSequences(file);
    expect(data.users).toEqual(['u1', 'u2']);
    expect(data.sequences).toEqual([['10', '2', '10'], ['7']]);
    expect(data.interactions).toBe(4);
    expect(buildVocabulary(data.sequences)).toEqual(['', '2', '7', '10']);
    writeFileSync(file, 'u1\n');
    await expect(readSequences(file)).rejects.toThrow(/expected "user item"/);
  });

  it('splits leave-one-out and leaves users with fewer than 3 items unscored', () => {
    expect(itemIds).toEqual(['', 'a', 'b', 'c', 'd', 'e', 'f']);
    const split = leaveOneOut(sequences, itemIds);
    expect([...split.train[0]!]).toEqual([1, 2, 3]);
    expect([split.valid[0], split.test[0]]).toEqual([4, 5]);
    expect([...split.train[1]!]).toEqual([3, 1]);
    expect([split.valid[1], split.test[1]]).toEqual([0, 0]);
    expect([...split.train[2]!]).toEqual([5]);
    expect([split.valid[2], split.test[2]]).toEqual([4, 2]);
    expect(stageInput(split, 0, 'valid', 10)).toEqual([1, 2, 3]);
    expect(stageInput(split, 0, 'test', 10)).toEqual([1, 2, 3, 4]);
    expect(stageInput(split, 0, 'test', 2)).toEqual([3, 4]);
  });

  it('draws negatives only from items the user never interacted with, with a fixed seed', () => {
    const many = cycleFixture(50, 200, 3);
    const ids = buildVocabulary(many);
    const split = leaveOneOut(many, ids);
    const set = evaluationSet(split, { maxUsers: 20, seed: 7 });
    expect(set.users.length).toBe(20);
    for (let k = 0; k < set.users.length; k++) {
      const u = set.users[k]!;
      const seen = new Set([...split.train[u]!, split.valid[u]!, split.test[u]!]);
      for (const stage of ['valid', 'test'] as const) {
        const negs = set.negatives[stage].slice(k * 100, (k + 1) * 100);
        for (const n of negs) {
          expect(seen.has(n)).toBe(false);
          expect(n).toBeGreaterThan(0);
        }
      }
    }
    const again = evaluationSet(split, { maxUsers: 20, seed: 7 });
    expect([...again.users]).toEqual([...set.users]);
    expect([...again.negatives.test]).toEqual([...set.negatives.test]);
  });

  it('ranks the target: a perfect scorer gets 1, a constant scorer no credit from ties', async () => {
    const many = cycleFixture(50, 200, 3);
    const ids = buildVocabulary(many);
    const split = leaveOneOut(many, ids);
    const set = evaluationSet(split, { seed: 1 });
    const V = split.vocabulary;
    const perfect = await evaluateRanking(split, set, 'test', 10, async (inputs, users) => {
      const out = new Float32Array(inputs.length * V);
      users.forEach((u, r) => {
        out[r * V + split.test[u]!] = 1;
      });
      return out;
    });
    expect(perfect.hr10).toBe(1);
    expect(perfect.ndcg10).toBe(1);
    const constant = await evaluateRanking(
      split,
      set,
      'test',
      10,
      async (inputs) => new Float32Array(inputs.length * V),
    );
    expect(constant.hr10).toBe(0);
    expect(constant.fullHr10).toBe(0);
  });
});

describe('SasRecModel', () => {
  const fixture = cycleFixture(600, 200, 11);
  const itemIds = buildVocabulary(fixture);
  const split = leaveOneOut(fixture, itemIds);
  const set = evaluationSet(split, { seed: 5 });
  let trained: SasRecModel;
  let valid: RankingMetrics;
  let popularity: RankingMetrics;

  beforeAll(async () => {
    const result = await trainSasRec(itemIds, split, set, {
      config: { maxLen: 12, hidden: 16, blocks: 1, heads: 2, dropout: 0.1 },
      loss: 'sampled',
      epochs: 12,
      evalEvery: 4,
      patience: 0,
      lr: 0.01,
      batchSize: 64,
      negatives: 32,
      weightDecay: 0,
      seed: 3,
    });
    trained = result.model;
    valid = result.best;
    popularity = await evaluateRanking(split, set, 'valid', 12, popularityScorer(split));
  }, 60_000);
  afterAll(() => trained?.dispose());

  it('learns the sequential structure well above the popularity baseline', () => {
    expect(popularity.ndcg10).toBeLessThan(0.35);
    expect(valid.ndcg10).toBeGreaterThan(popularity.ndcg10 + 0.3);
    expect(valid.hr10).toBeGreaterThan(0.8);
  });

  it('recommends the next item of a cycle with attention summing to 1 over the items used', async () => {
    const [r, empty] = await trained.recommend([['i3', 'unknown', 'i4', 'i5'], []]);
    expect(r!.used).toEqual(['i3', 'i4', 'i5']);
    expect(r!.scores.length).toBe(itemIds.length);
    expect(r!.scores[0]).toBe(Number.NEGATIVE_INFINITY);
    // The best item outside the history (which a recommender filters) is the cycle's next one.
    const seen = new Set(r!.used);
    let best = 0;
    for (let i = 1; i < r!.scores.length; i++) {
      if (!seen.has(itemIds[i]!) && (best === 0 || r!.scores[i]! > r!.scores[best]!)) best = i;
    }
    expect(itemIds[best]).toBe('i6');
    expect(r!.attention.length).toBe(3);
    expect(r!.attention.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(empty!.used).toEqual([]);
    expect(empty!.attention.length).toBe(0);
    expect(empty!.scores.length).toBe(itemIds.length);
  });

  it('computes the last position alone as the full forward pass does, for one and several heads', () => {
    for (const [heads, blocks] of [
      [1, 2],
      [2, 2],
      [2, 1],
    ] as const) {
      const ids = ['', ...Array.from({ length: 30 }, (_, i) => `x${i}`)];
      const model = SasRecModel.create(ids, { maxLen: 7, hidden: 8, blocks, heads, dropout: 0.3 }, 9);
      try {
        // Different lengths (left padding), a full row and an empty one.
        const batch = leftPad([[3, 4, 5], [1, 2, 3, 4, 5, 6, 7], [], [9]]);
        const L = batch.length;
        const [full, fullAttention, last, lastAttention] = tf.tidy(() => {
          const f = model.forward(batch);
          const l = model.lastFeatures(batch);
          const rows = tf.tensor1d(
            [0, 1, 2, 3].map((b) => b * L + L - 1),
            'int32',
          );
          const att = tf.mean(
            tf.reshape(
              tf.slice(tf.reshape(f.attention, [4, heads, L, L]), [0, 0, L - 1, 0], [4, heads, 1, L]),
              [4, heads, L],
            ),
            1,
          );
          return [
            tf.gather(f.features, rows).arraySync(),
            att.arraySync(),
            l.features.arraySync(),
            l.attention.arraySync(),
          ] as number[][][];
        });
        for (let b = 0; b < 4; b++) {
          for (let c = 0; c < 8; c++) expect(last![b]![c]).toBeCloseTo(full![b]![c]!, 5);
          for (let t = 0; t < L; t++) expect(lastAttention![b]![t]).toBeCloseTo(fullAttention![b]![t]!, 5);
        }
      } finally {
        model.dispose();
      }
    }
  });

  it('scores with the item table as it is now, after the weights change', async () => {
    const ids = ['', 'a', 'b', 'c'];
    const model = SasRecModel.create(ids, { maxLen: 4, hidden: 4, blocks: 1, heads: 1, dropout: 0 }, 2);
    try {
      const before = await model.recommend([['a', 'b']]);
      const expected = tf.tidy(() =>
        model.scoreAll(model.lastFeatures(leftPad([[1, 2]])).features).dataSync(),
      );
      expect([...before[0]!.scores].slice(1)).toEqual(
        [...expected].slice(1).map((v) => expect.closeTo(v, 5)),
      );
      const table = model.itemTable();
      table.assign(tf.tidy(() => tf.mul(table, 2)));
      const after = await model.recommend([['a', 'b']]);
      const changed = tf.tidy(() =>
        model.scoreAll(model.lastFeatures(leftPad([[1, 2]])).features).dataSync(),
      );
      expect([...after[0]!.scores].slice(1)).toEqual([...changed].slice(1).map((v) => expect.closeTo(v, 5)));
      expect(after[0]!.scores[1]).not.toBeCloseTo(before[0]!.scores[1]!, 5);
    } finally {
      model.dispose();
    }
  });

  it('groups a batch by history length and answers as for each history alone, in request order', async () => {
    // Few short rows join the next longer group (at most MERGE_POSITIONS padding positions)...
    expect(groupByLength([1, 10, 2, 3, 50, 33, 4, 5], 50)).toEqual([
      [0, 2, 3, 6, 7, 1],
      [4, 5],
    ]);
    // ...many do not (20 rows x 8 positions), nor rows that would be padded far (6 rows x 40 above);
    // one row may (1 x 40).
    const many = [...Array.from({ length: 20 }, () => 2), 10, 50];
    expect(groupByLength(many, 50)).toEqual([Array.from({ length: 20 }, (_, i) => i), [20, 21]]);
    expect(groupByLength([], 50)).toEqual([]);
    const histories = [
      fixture[0]!.slice(0, 2),
      fixture[1]!,
      [],
      fixture[2]!.slice(0, 7),
      ['i1', 'unknown'],
      fixture[3]!.slice(0, 11),
    ];
    const together = await trained.recommend(histories);
    for (let i = 0; i < histories.length; i++) {
      const [alone] = await trained.recommend([histories[i]!]);
      expect(together[i]!.used).toEqual(alone!.used);
      expect(together[i]!.scores.length).toBe(itemIds.length);
      expect(together[i]!.scores[0]).toBe(Number.NEGATIVE_INFINITY);
      for (let j = 1; j < itemIds.length; j++)
        expect(together[i]!.scores[j]).toBeCloseTo(alone!.scores[j]!, 4);
      expect([...together[i]!.attention]).toEqual([...alone!.attention].map((v) => expect.closeTo(v, 5)));
    }
  });

  it('keeps the tensor count flat across recommend calls', async () => {
    const histories = fixture.slice(0, 40);
    await trained.recommend(histories);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await trained.recommend(histories);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('round-trips through save/load and the registry with identical scores', async () => {
    const saved = await saveVersion(dir, SASREC_MODEL_NAME, async (d) => {
      await trained.save(d);
      return { ok: true };
    });
    const latest = await latestVersion(dir, SASREC_MODEL_NAME);
    expect(latest?.version).toBe(saved.version);
    const loaded = await SasRecModel.load(latest!.dir);
    try {
      expect(loaded.itemIds).toEqual(trained.itemIds);
      expect(loaded.config).toEqual(trained.config);
      const histories = fixture.slice(0, 5);
      const a = await trained.recommend(histories);
      const b = await loaded.recommend(histories);
      for (let i = 0; i < a.length; i++) {
        expect([...b[i]!.scores]).toEqual([...a[i]!.scores]);
        expect([...b[i]!.attention]).toEqual([...a[i]!.attention]);
      }
      expect(await loaded.itemEmbeddings()).toEqual(await trained.itemEmbeddings());
    } finally {
      loaded.dispose();
    }
  });

  it('stops at the time budget after an evaluation, keeping that checkpoint', async () => {
    const r = await trainSasRec(itemIds, split, set, {
      config: { maxLen: 8, hidden: 8, blocks: 1, heads: 1, dropout: 0 },
      loss: 'bce',
      epochs: 5,
      evalEvery: 3,
      patience: 0,
      maxSeconds: 0,
      lr: 0.01,
      batchSize: 128,
      negatives: 1,
      weightDecay: 0,
      seed: 4,
    });
    try {
      expect(r.stopped).toBe('time');
      expect(r.epochsRun).toBe(1);
      expect(r.evaluations.map((e) => e.epoch)).toEqual([1]);
      expect(r.bestEpoch).toBe(1);
    } finally {
      r.model.dispose();
    }
  });

  it('rejects bad configs and vocabularies', () => {
    const c = { maxLen: 5, hidden: 10, blocks: 1, heads: 3, dropout: 0.2 };
    expect(() => SasRecModel.create(['', 'a'], c, 1)).toThrow(/multiple of heads/);
    expect(() => SasRecModel.create(['a'], { ...c, heads: 2 }, 1)).toThrow(/padding/);
    expect(trained.forwardFlops(2, 3)).toBeGreaterThan(0);
  });
});
