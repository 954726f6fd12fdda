import type { Caller, RunningSubgraph } from '@attention-mesh/platform';
import { createLogger } from '@attention-mesh/platform';
import { startTestSubgraph, TEST_CALLERS } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { attentionBreakdown, attentionSeries } from '../src/analytics/analytics.js';
import type { AttentionEventInput } from '../src/ingest/eventRules.js';
import { recordAttention } from '../src/ingest/recordAttention.js';
import type { AttentionMetric } from '../src/metrics/metricsOf.js';
import { rebuildAggregates } from '../src/projection/rebuild.js';
import { loadMemoryViews } from '../src/projection/runner.js';
import type { AttentionRuntime } from '../src/runtime.js';
import { attentionSubgraph } from '../src/server.js';

/**
 * Analyst reads from the rollups held in memory against the database path (the one every read took
 * before, and still takes with several writers), on a generated data set in the real embedded database:
 * the same answers for every metric, dimension, granularity and range, exact and differentially private
 * (same request id, same noise), after live ingestion, a reload at start and the importer's rebuild.
 */
let sg: RunningSubgraph<AttentionRuntime>;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = Date.now();
const settings = { caller: TEST_CALLERS.admin, maxBatch: 1000, halfLifeDays: 7 };
const partner: Caller = {
  partnerId: 'p-reads',
  apiKeyId: 'key-reads',
  scopes: ['analytics:read'],
  dpEpsilon: 2,
};
const logger = createLogger({ service: 'attention', level: 'silent', pretty: false });

/** A deterministic world: 60 users, 3 days, every dimension and event type, views of 1-6 events. */
function world(): AttentionEventInput[] {
  let seed = 11;
  const rnd = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const out: AttentionEventInput[] = [];
  for (let v = 0; v < 700; v++) {
    const user = `u${Math.floor(rnd() * rnd() * 60)}`;
    const ad = rnd() < 0.3;
    const base = {
      userId: rnd() < 0.9 ? user : null,
      anonymousId: 'anon-1',
      sessionId: `${user}-s${Math.floor(v / 5)}`,
      impressionId: `v${v}`,
      target: ad
        ? { type: 'AD', id: `ad${Math.floor(rnd() * 5)}` }
        : { type: 'ITEM', id: `i${Math.floor(rnd() * 15)}` },
      placementId: rnd() < 0.7 ? pick(['top', 'side', 'feed']) : null,
      category: ad ? null : pick(['news', 'sports', 'tech', 'food']),
      device: pick(['desktop', 'mobile', 'tablet']),
      country: pick(['BR', 'PT', 'US']),
    };
    const t = now - 3 * DAY + Math.floor(rnd() * (3 * DAY - 2 * HOUR));
    const steps: Partial<AttentionEventInput>[] = [
      { type: 'IMPRESSION' },
      { type: 'VIEW_SEGMENT', visibleFraction: 0.4 + rnd() * 0.6, durationMs: Math.floor(rnd() * 9000) },
      { type: 'ACTIVITY' },
      { type: 'SCROLL_DEPTH', scrollDepth: pick([0.3, 0.55, 0.8, 1]) },
      { type: 'CLICK' },
      { type: 'PAGE_EXIT' },
    ];
    const n = 1 + Math.floor(rnd() * steps.length);
    for (let i = 0; i < n; i++)
      out.push({
        ...base,
        ...steps[i],
        clientId: `c${v}-${i}`,
        occurredAt: t + i * 1500,
      } as AttentionEventInput);
  }
  return out;
}

const METRICS: AttentionMetric[] = [
  'EVENTS',
  'IMPRESSIONS',
  'VIEWABLE_IMPRESSIONS',
  'VIEWABILITY_RATE',
  'TIME_IN_VIEW_SECONDS',
  'ENGAGED_SECONDS',
  'AVERAGE_ENGAGED_SECONDS',
  'CLICKS',
  'CLICK_THROUGH_RATE',
  'AVERAGE_DWELL_SECONDS',
  'SCROLL_50_RATE',
  'ATTENTION_PER_MILLE',
];
const DIMS = ['CATEGORY', 'PLACEMENT', 'DEVICE', 'COUNTRY', 'ITEM', 'AD', 'USER'];
const RANGES = {
  empty: { from: now - 30 * DAY, to: now - 20 * DAY },
  lastHour: { from: now - 3 * HOUR, to: now - 2 * HOUR },
  lastDay: { from: now - DAY, to: now },
  whole: { from: now - 4 * DAY, to: now + HOUR },
};
const FILTERS: Record<string, string> = {
  CATEGORY: 'sports',
  PLACEMENT: 'side',
  DEVICE: 'mobile',
  COUNTRY: 'BR',
  ITEM: 'i3',
  AD: 'ad1',
  USER: 'u2',
};

type Ask = (name: string, f: () => Promise<unknown>) => Promise<void>;

/** The whole range, for one caller: every metric, dimension (groupBy, filter, breakdown) and granularity. */
async function wholeRange(rt: AttentionRuntime, who: string, caller: Caller, ask: Ask) {
  const range = RANGES.whole;
  const dims = who === 'admin' ? DIMS : DIMS.filter((d) => d !== 'USER');
  for (const metric of METRICS) {
    await ask(`whole ${who} series ${metric}`, () =>
      attentionSeries(rt, caller, { metric, granularity: 'HOUR', ...range, top: 10 }, 'r1'),
    );
    await ask(`whole ${who} breakdown CATEGORY ${metric}`, () =>
      attentionBreakdown(rt, caller, { by: 'CATEGORY', metric, ...range, first: 100 }, 'r1'),
    );
  }
  for (const dim of dims) {
    const base = { metric: 'CLICK_THROUGH_RATE' as const, ...range, top: 4 };
    const granularity = dim === 'COUNTRY' ? ('DAY' as const) : ('HOUR' as const);
    await ask(`whole ${who} series by ${dim}`, () =>
      attentionSeries(rt, caller, { ...base, granularity, groupBy: dim }, 'r1'),
    );
    await ask(`whole ${who} series ${dim}=${FILTERS[dim]}`, () =>
      attentionSeries(
        rt,
        caller,
        { ...base, granularity, filter: { dimension: dim, value: FILTERS[dim]! } },
        'r1',
      ),
    );
    await ask(`whole ${who} breakdown ${dim}`, () =>
      attentionBreakdown(
        rt,
        caller,
        { by: dim, metric: 'AVERAGE_DWELL_SECONDS', ...range, first: 100 },
        'r1',
      ),
    );
  }
}

/** The queries of the matrix, each with its answer (or its error code). */
async function answers(rt: AttentionRuntime): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const ask: Ask = async (name, f) => {
    try {
      out[name] = await f();
    } catch (err) {
      out[name] = { error: (err as { extensions?: { code?: string } }).extensions?.code ?? String(err) };
    }
  };
  for (const [who, caller] of [
    ['admin', TEST_CALLERS.admin],
    ['partner', partner],
  ] as const) {
    await wholeRange(rt, who, caller, ask);
    for (const [name, range] of Object.entries(RANGES)) {
      if (name === 'whole') continue;
      await ask(`${name} ${who} series`, () =>
        attentionSeries(rt, caller, { metric: 'IMPRESSIONS', granularity: 'HOUR', ...range, top: 10 }, 'r1'),
      );
      await ask(`${name} ${who} series DAY by CATEGORY`, () =>
        attentionSeries(
          rt,
          caller,
          { metric: 'CLICK_THROUGH_RATE', granularity: 'DAY', ...range, groupBy: 'CATEGORY', top: 3 },
          'r1',
        ),
      );
      await ask(`${name} ${who} series ITEM=i3`, () =>
        attentionSeries(
          rt,
          caller,
          {
            metric: 'ENGAGED_SECONDS',
            granularity: 'HOUR',
            ...range,
            filter: { dimension: 'ITEM', value: 'i3' },
            top: 10,
          },
          'r1',
        ),
      );
      await ask(`${name} ${who} breakdown ITEM`, () =>
        attentionBreakdown(
          rt,
          caller,
          { by: 'ITEM', metric: 'CLICK_THROUGH_RATE', ...range, first: 100 },
          'r1',
        ),
      );
    }
  }
  return out;
}

beforeAll(async () => {
  sg = await startTestSubgraph(attentionSubgraph, inject('mongoUri'));
  const events = world();
  for (let i = 0; i < events.length; i += 500) {
    const r = await recordAttention(sg.runtime, events.slice(i, i + 500), settings);
    expect(r.accepted).toBe(Math.min(500, events.length - i));
  }
}, 120_000);
afterAll(async () => {
  await sg?.stop();
});

describe('analyst reads from memory', () => {
  it('answer as the database path does, live, after a reload at start and after a rebuild', async () => {
    const rt = sg.runtime;
    expect(rt.memory.rollups.active).toBe(true);
    // Live: the memory holds what the projection has not stored yet; the database path adds it too.
    const fromMemory = await answers(rt);
    const figures = Object.values(fromMemory).filter((a) => Array.isArray(a) && a.length > 0);
    expect(figures.length).toBeGreaterThan(60);
    expect(JSON.stringify(fromMemory)).toContain('"noised":true');
    expect(JSON.stringify(fromMemory)).toContain('"suppressed":true');

    await rt.projection.idle();
    rt.memory.rollups.turnOff();
    const fromDatabase = await answers(rt);
    expect(fromDatabase).toEqual(fromMemory);

    await loadMemoryViews(rt, logger);
    expect(rt.memory.rollups.active).toBe(true);
    expect(await answers(rt)).toEqual(fromMemory);

    await rebuildAggregates(rt, { halfLifeDays: 7 });
    expect(rt.memory.rollups.active).toBe(true);
    expect(await answers(rt)).toEqual(fromMemory);
  }, 600_000);
});
