import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CRITEO_FIELDS, parseCriteo } from '../../src/ctr/criteo.js';
import { FeatureEncoder, MISSING, OOV, tokenOf } from '../../src/ctr/encoder.js';
import { parseCtrJsonl } from '../../src/ctr/jsonl.js';
import { detectCtrFormat, readCtrData } from '../../src/ctr/read.js';
import { splitRows } from '../../src/ctr/split.js';

const dir = mkdtempSync(join(tmpdir(), 'ml-ctr-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const criteoLine = (label: number, ints: string[], cats: string[]) =>
  [String(label), ...ints, ...cats].join('\t');
const ints = (v: string) => Array.from({ length: 13 }, () => v);
const cats = (v: string) => Array.from({ length: 26 }, () => v);

describe('Criteo reader', () => {
  it('reads labels, integer counts and hashed categoricals, empty cells as missing', () => {
    const first = criteoLine(1, ['5', '', ...ints('0').slice(2)], ['68fd1e64', '', ...cats('a').slice(2)]);
    const data = parseCriteo(`${first}\n${criteoLine(0, ints(''), cats(''))}\r\n\n`);
    expect(data.fields).toHaveLength(39);
    expect(data.fields[0]).toEqual({ name: 'I1', kind: 'numeric' });
    expect(data.fields[13]).toEqual({ name: 'C1', kind: 'categorical' });
    expect(Array.from(data.labels)).toEqual([1, 0]);
    expect(data.rows[0]).toMatchObject({ I1: 5, I2: null, I3: 0, C1: '68fd1e64', C2: null, C3: 'a' });
    expect(Object.values(data.rows[1]!).every((v) => v === null)).toBe(true);
  });

  it('names the line of a malformed row', () => {
    const good = criteoLine(0, ints('1'), cats('x'));
    expect(() => parseCriteo(`${good}\n${good.split('\t').slice(0, 20).join('\t')}`)).toThrow(
      /line 2: 20 columns/,
    );
    expect(() => parseCriteo(criteoLine(2, ints('1'), cats('x')))).toThrow(/line 1: label must be 0 or 1/);
    expect(() => parseCriteo(criteoLine(0, ints('1.5'), cats('x')))).toThrow(/I1 must be an integer/);
  });

  it('reads the shared criteo_10k file when present', async (ctx) => {
    const path = join(import.meta.dirname, '../../../../shared/datasets/ctr/criteo_10k.tsv');
    const data = await readCtrData(path).catch(() => undefined);
    if (!data) {
      ctx.skip(`dataset absent: ${path}`);
      return;
    }
    expect(data.labels).toHaveLength(10_000);
    const rate = data.labels.reduce((a, b) => a + b, 0) / 10_000;
    expect(rate).toBeCloseTo(0.218, 2);
    expect(data.fields.map((f) => f.name)).toEqual(CRITEO_FIELDS.map((f) => f.name));
  });
});

describe('JSONL reader', () => {
  it('collects fields in order of first appearance; absent fields are missing', async () => {
    const text = [
      JSON.stringify({ label: 1, fields: { adId: 'ad_1', hourOfDay: 13, device: null } }),
      JSON.stringify({ label: 0, fields: { adId: 'ad_2', country: 'BR', impressions: 40 } }),
    ].join('\n');
    const data = parseCtrJsonl(text, { numericFields: ['impressions'] });
    expect(data.fields).toEqual([
      { name: 'adId', kind: 'categorical' },
      { name: 'hourOfDay', kind: 'categorical' },
      { name: 'device', kind: 'categorical' },
      { name: 'country', kind: 'categorical' },
      { name: 'impressions', kind: 'numeric' },
    ]);
    expect(Array.from(data.labels)).toEqual([1, 0]);
    const path = join(dir, 'log.jsonl.gz');
    writeFileSync(path, gzipSync(text));
    expect(detectCtrFormat(path)).toBe('jsonl');
    expect((await readCtrData(path)).rows).toEqual(data.rows);
  });

  it('rejects bad lines with their line number', () => {
    expect(() => parseCtrJsonl('{"label":1,"fields":{}}\n{oops')).toThrow(/line 2: invalid JSON/);
    expect(() => parseCtrJsonl('{"label":"1","fields":{}}')).toThrow(/label must be 0 or 1/);
    expect(() => parseCtrJsonl('{"label":1}')).toThrow(/"fields" must be an object/);
    expect(() => parseCtrJsonl('{"label":1,"fields":{"a":[1]}}')).toThrow(/field "a" must be a string/);
    expect(() => parseCtrJsonl('{"label":1,"fields":{"a":1}}', { numericFields: ['b'] })).toThrow(
      /"b" appears on no line/,
    );
  });
});

describe('FeatureEncoder', () => {
  const fields = [
    { name: 'ad', kind: 'categorical' as const },
    { name: 'count', kind: 'numeric' as const },
  ];

  it('gives missing and out-of-vocabulary values their own buckets per field', () => {
    const train = [
      { ad: 'a', count: 1 },
      { ad: 'a', count: 100 },
      { ad: 'b', count: 105 },
      { ad: 'b', count: null },
      { ad: 'rare', count: 5000 },
    ];
    const enc = FeatureEncoder.fit(train, fields, 2);
    // ad: missing, OOV, a, b; count: missing, OOV, log2:21 (100 and 105 share floor(ln(x)²) = 21).
    expect(enc.size).toBe(4 + 3);
    expect(enc.bucket(0, 'a')).toBe(2);
    expect(enc.bucket(0, 'rare')).toBe(OOV);
    expect(enc.bucket(0, 'never seen')).toBe(OOV);
    for (const missing of [null, undefined, '', Number.NaN]) expect(enc.bucket(0, missing)).toBe(MISSING);
    expect(enc.bucket(1, 102)).toBe(2);
    expect(enc.bucket(1, '102')).toBe(2);
    expect(enc.bucket(1, 1)).toBe(OOV); // seen once
    expect(enc.bucket(1, 'not a number')).toBe(OOV);
    const ids = enc.encode([{ ad: 'b' }, { ad: 'zzz', count: 103 }]);
    expect(Array.from(ids)).toEqual([0 + 3, 4 + MISSING, 0 + OOV, 4 + 2]);
  });

  it('discretises counts the AutoInt way', () => {
    expect(tokenOf('numeric', 2)).toBe('=2');
    expect(tokenOf('numeric', -1)).toBe('=-1');
    expect(tokenOf('numeric', 3)).toBe(`log2:${Math.floor(Math.log(3) ** 2)}`);
    expect(tokenOf('numeric', 1382)).toBe('log2:52');
    expect(tokenOf('categorical', 13)).toBe('13');
  });

  it('is fitted on the rows it is given only, and serialises', () => {
    const data = Array.from({ length: 100 }, (_, i) => ({
      ad: i < 80 ? `a${i % 4}` : `b${i % 4}`,
      count: i,
    }));
    const split = splitRows(100, 3);
    const encoder = FeatureEncoder.fit(
      Array.from(split.train, (i) => data[i]!),
      fields,
      1,
    );
    const trainAds = new Set(Array.from(split.train, (i) => data[i]!.ad));
    for (const i of split.test) {
      const bucket = encoder.bucket(0, data[i]!.ad);
      expect(bucket === OOV).toBe(!trainAds.has(data[i]!.ad));
    }
    const copy = FeatureEncoder.fromJSON(JSON.parse(JSON.stringify(encoder.toJSON())));
    expect(copy.size).toBe(encoder.size);
    expect(Array.from(copy.encode(data))).toEqual(Array.from(encoder.encode(data)));
  });
});

describe('splitRows', () => {
  it('splits 80/10/10, disjoint and reproducible from the seed', () => {
    const a = splitRows(1000, 7);
    expect([a.train.length, a.validation.length, a.test.length]).toEqual([800, 100, 100]);
    const all = new Set([...a.train, ...a.validation, ...a.test]);
    expect(all.size).toBe(1000);
    expect(Array.from(splitRows(1000, 7).test)).toEqual(Array.from(a.test));
    expect(Array.from(splitRows(1000, 8).test)).not.toEqual(Array.from(a.test));
  });
});
