import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { RunningSubgraph } from '@attention-mesh/platform';
import { startTestSubgraph, TEST_CALLERS } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AttentionEventInput } from '../src/ingest/eventRules.js';
import { csvEvents, globoEvents, jsonlEvents, take } from '../src/ingest/eventSources.js';
import { importEvents } from '../src/ingest/importEvents.js';
import { recordAttention } from '../src/ingest/recordAttention.js';
import { rebuildAggregates } from '../src/projection/rebuild.js';
import type { AttentionRuntime } from '../src/runtime.js';
import { attentionSubgraph } from '../src/server.js';

let sg: RunningSubgraph<AttentionRuntime>;
const dir = mkdtempSync(join(tmpdir(), 'attention-import-'));
const settings = { caller: TEST_CALLERS.admin, maxBatch: 1000, halfLifeDays: 7 };

beforeAll(async () => {
  sg = await startTestSubgraph(attentionSubgraph, inject('mongoUri'));
});
afterAll(() => sg?.stop());

async function snapshot(models: AttentionRuntime) {
  const strip = <T extends { _id: string }>(docs: T[]) => Object.fromEntries(docs.map((d) => [d._id, d]));
  return {
    totals: strip(await models.AttentionTotal.find({}).lean()),
    rollups: strip(await models.AttentionRollup.find({}).lean()),
    profiles: strip(await models.AttentionProfile.find({}).lean()),
    views: strip(await models.AttentionView.find({}, { updatedAt: 0 }).lean()),
  };
}

function session(user: string, n: number, t0: number): AttentionEventInput[] {
  const out: AttentionEventInput[] = [];
  for (let v = 0; v < n; v++) {
    const base = {
      userId: user,
      sessionId: `${user}-s`,
      impressionId: `${user}-v${v}`,
      target: { type: 'ITEM', id: `i${v % 3}` },
      category: v % 2 ? 'tech' : 'news',
      device: 'mobile',
    };
    const t = t0 + v * 60_000;
    out.push({ ...base, clientId: `${user}-${v}-1`, type: 'IMPRESSION', occurredAt: t });
    out.push({
      ...base,
      clientId: `${user}-${v}-2`,
      type: 'VIEW_SEGMENT',
      visibleFraction: 0.7,
      durationMs: 4000,
      occurredAt: t + 500,
    });
    out.push({ ...base, clientId: `${user}-${v}-3`, type: 'ACTIVITY', occurredAt: t + 1000 });
    out.push({ ...base, clientId: `${user}-${v}-4`, type: 'ACTIVITY', occurredAt: t + 3000 });
    out.push({ ...base, clientId: `${user}-${v}-5`, type: 'PAGE_EXIT', occurredAt: t + 5000 });
  }
  return out;
}

describe('rebuildAggregates', () => {
  it('recomputes exactly what incremental ingestion maintained', async () => {
    const t0 = Date.now() - 3 * 3_600_000;
    const events = [...session('ra', 6, t0), ...session('rb', 4, t0 + 1_800_000)];
    // Each view's events spread over two batches, in time order, as a client sends them.
    await recordAttention(
      sg.runtime,
      events.filter((_, i) => i % 5 < 3),
      settings,
    );
    await recordAttention(
      sg.runtime,
      events.filter((_, i) => i % 5 >= 3),
      settings,
    );
    await sg.runtime.projection.idle();
    const incremental = await snapshot(sg.runtime);
    await rebuildAggregates(sg.runtime, { halfLifeDays: 7 });
    const rebuilt = await snapshot(sg.runtime);
    expect(Object.keys(rebuilt.rollups).sort()).toEqual(Object.keys(incremental.rollups).sort());
    expect(rebuilt.totals).toEqual(incremental.totals);
    expect(rebuilt.rollups).toEqual(incremental.rollups);
    for (const id of Object.keys(incremental.profiles)) {
      const a = incremental.profiles[id]!;
      const b = rebuilt.profiles[id]!;
      expect(b.sessions).toBe(a.sessions);
      expect(b.weekHours).toEqual(a.weekHours);
      expect(b.span).toEqual(a.span);
      for (const [c, v] of Object.entries(a.categories ?? {}))
        expect((b.categories?.[c] ?? 0) / v).toBeCloseTo(1, 9);
    }
  });
});

describe('importEvents', () => {
  it('imports a Globo clicks file, history included, once', async () => {
    const file = join(dir, 'globo.csv.gz');
    const rows = [
      'user_id,session_id,session_start,session_size,click_article_id,click_timestamp,click_environment,click_deviceGroup,click_os,click_country,click_region,click_referrer_type',
      '0,1506825423271737,1506825423000,2,157541,1506826828020,4,3,20,1,20,2',
      '0,1506825423271737,1506825423000,2,68866,1506826858020,4,3,20,1,20,2',
      '1,1506825426267738,1506825426000,1,235840,1506827017951,4,1,17,1,16,2',
    ];
    writeFileSync(file, gzipSync(`${rows.join('\n')}\n`));
    const result = await importEvents(sg.runtime, globoEvents(file), {
      halfLifeDays: 7,
      allowHistorical: true,
    });
    expect(result).toMatchObject({ read: 6, stored: 6, duplicates: 0, rejected: 0 });
    expect(await sg.runtime.AttentionTotal.findById('USER|globo-0').lean()).toMatchObject({
      events: 4,
      impressions: 2,
      clicks: 2,
    });
    const again = await importEvents(sg.runtime, globoEvents(file), {
      halfLifeDays: 7,
      allowHistorical: true,
    });
    expect(again).toMatchObject({ stored: 0, duplicates: 6 });
    expect(await sg.runtime.AttentionTotal.findById('USER|globo-0').lean()).toMatchObject({
      events: 4,
      clicks: 2,
    });
    const refused = await importEvents(sg.runtime, globoEvents(file), { halfLifeDays: 7 });
    expect(refused).toMatchObject({ rejected: 6, stored: 0 });
  });

  it('reads generic CSV and JSON lines, and stops at a limit', async () => {
    const csv = join(dir, 'events.csv');
    writeFileSync(
      csv,
      'user_id,timestamp,item_id,category\nu1,1764320400,a,news\nu2,2026-11-28T10:00:00Z,b,tech\n',
    );
    const fromCsv = [];
    for await (const e of csvEvents(csv)) fromCsv.push(e);
    expect(fromCsv.map((e) => [e.userId, e.occurredAt, e.target.id, e.category])).toEqual([
      ['u1', 1764320400000, 'a', 'news'],
      ['u2', Date.UTC(2026, 10, 28, 10), 'b', 'tech'],
    ]);
    const jsonl = join(dir, 'events.jsonl');
    writeFileSync(
      jsonl,
      `${JSON.stringify({ clientId: 'j1', impressionId: 'j1', userId: 'u', sessionId: 's', target: { type: 'AD', id: 'ad1' }, type: 'CLICK', occurredAt: '2026-11-28T10:00:00Z' })}\n`,
    );
    const fromJsonl = [];
    for await (const e of jsonlEvents(jsonl)) fromJsonl.push(e);
    expect(fromJsonl[0]).toMatchObject({ type: 'CLICK', occurredAt: Date.UTC(2026, 10, 28, 10) });
    const limited = [];
    for await (const e of take(csvEvents(csv), 1)) limited.push(e);
    expect(limited).toHaveLength(1);
  });
});
