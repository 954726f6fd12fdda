/**
 * Analysts' reads at scale: loads N stored events (default 1,000,000) with the attention subgraph's bulk
 * import (as bench:attention-read does: raw unordered inserts, then one rebuild of the aggregates), then
 * asks `attentionSeries` (every granularity, no filter, a filter, grouped by every dimension) and
 * `attentionBreakdown` (by every dimension) through the gateway, as an admin (exact figures), over four
 * ranges: one with no data, the last hour, the last day and the whole range. Prints p50/p99 per query
 * against the 200 ms target. Before: the same run calls the use cases of a few of the queries in-process,
 * from memory and then from the database (the rollups in memory turned off: the path every read took
 * before, and takes with several writers), side by side, and checks both give the same answer.
 *
 *   npm run bench:attention-analytics -- [--events 1000000] [--repeats 60] [--before 1] [--help]
 */
import {
  fmt,
  gatewayHeaders,
  gql,
  importFromRepo,
  latencySummary,
  type Mesh,
  numericArgs,
  progress,
  round,
  startDatabase,
  startMesh,
  table,
  worldEvents,
  writeResults,
} from './common.js';

const args = numericArgs(
  'Attention analytics benchmark: attentionSeries and attentionBreakdown through the gateway over N stored events.\n' +
    'usage: npm run bench:attention-analytics -- [flags]',
  {
    events: 1_000_000,
    users: 20_000,
    items: 5_000,
    categories: 10,
    days: 6,
    repeats: 60,
    warmup: 3,
    importBatch: 1_000,
    before: 1,
    beforeRuns: 3,
    targetMs: 200,
    seed: 7,
  },
  {
    events: 'stored events to load',
    users: 'distinct users',
    items: 'distinct items',
    categories: 'item categories (at most 12)',
    days: 'events occur within the last N days',
    repeats: 'measured runs of each query',
    warmup: 'unmeasured runs of each query first',
    importBatch: 'importEvents batch size',
    before: '1: also time a few queries on the database path (seconds each at 1M events); 0: skip',
    beforeRuns: 'runs of each query on the database path',
    targetMs: 'the p99 target, in ms',
    seed: 'PRNG seed',
  },
);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const DIMENSIONS = ['CATEGORY', 'PLACEMENT', 'DEVICE', 'COUNTRY', 'ITEM', 'AD', 'USER'];

const SERIES = `query($metric: AttentionMetric!, $granularity: Granularity!, $from: DateTime!, $to: DateTime!,
  $filter: AttentionFilter, $groupBy: AttentionDimension, $top: Int!) {
  attentionSeries(metric: $metric, granularity: $granularity, from: $from, to: $to, filter: $filter,
    groupBy: $groupBy, top: $top) { key noised suppressed points { at value } } }`;
const BREAKDOWN = `query($by: AttentionDimension!, $metric: AttentionMetric!, $from: DateTime!, $to: DateTime!, $first: Int!) {
  attentionBreakdown(by: $by, metric: $metric, from: $from, to: $to, first: $first) {
    key value impressions events noised suppressed } }`;

interface Query {
  name: string;
  range: string;
  query: string;
  variables: Record<string, unknown>;
  /** Also timed on the database path (--before). */
  before?: boolean;
}

function queries(now: number): Query[] {
  const iso = (t: number) => new Date(t).toISOString();
  const ranges: Record<string, { from: string; to: string }> = {
    empty: { from: iso(now - 30 * DAY), to: iso(now - 23 * DAY) },
    'last hour': { from: iso(now - HOUR), to: iso(now) },
    'last day': { from: iso(now - DAY), to: iso(now) },
    whole: { from: iso(now - (args.days + 1) * DAY), to: iso(now) },
  };
  const out: Query[] = [];
  for (const [range, r] of Object.entries(ranges)) {
    // The database path costs seconds a query at 1M events: timed on the ends of the range spectrum only.
    const before = range === 'empty' || range === 'whole';
    const series = (name: string, v: Record<string, unknown>, timedBefore = false) =>
      out.push({
        name: `series ${name}`,
        range,
        query: SERIES,
        variables: { ...r, top: 10, ...v },
        before: timedBefore,
      });
    series('HOUR', { metric: 'IMPRESSIONS', granularity: 'HOUR' }, before);
    series('DAY', { metric: 'ENGAGED_SECONDS', granularity: 'DAY' });
    series('HOUR ITEM=itm-1', {
      metric: 'CLICK_THROUGH_RATE',
      granularity: 'HOUR',
      filter: { dimension: 'ITEM', value: 'itm-1' },
    });
    for (const dim of DIMENSIONS)
      series(
        `HOUR by ${dim}`,
        { metric: 'CLICK_THROUGH_RATE', granularity: 'HOUR', groupBy: dim },
        before && dim === 'ITEM',
      );
    series('DAY by CATEGORY', { metric: 'VIEWABILITY_RATE', granularity: 'DAY', groupBy: 'CATEGORY' });
    for (const dim of DIMENSIONS)
      out.push({
        name: `breakdown ${dim}`,
        range,
        query: BREAKDOWN,
        variables: { ...r, by: dim, metric: 'AVERAGE_ENGAGED_SECONDS', first: 100 },
        before: before && dim === 'CATEGORY',
      });
  }
  return out;
}

async function load(mesh: Mesh) {
  const { importEvents } = await importFromRepo<
    typeof import('../../subgraphs/attention/dist/ingest/importEvents.js')
  >('subgraphs/attention/dist/ingest/importEvents.js');
  const now = Date.now();
  const source = worldEvents({
    users: args.users,
    items: args.items,
    categories: args.categories,
    seed: args.seed,
    events: args.events,
    from: now - args.days * DAY,
    to: now - 15 * 60_000,
  });
  const t0 = performance.now();
  let last = 0;
  const result = await importEvents(mesh.attention.runtime, source, {
    halfLifeDays: mesh.attention.runtime.settings.halfLifeDays,
    allowHistorical: true,
    batchSize: args.importBatch,
    onProgress: (p) => {
      if (performance.now() - last < 10_000) return;
      last = performance.now();
      progress(`  import: ${fmt(p.read)} read, ${fmt(p.stored)} stored`);
    },
  });
  return { result, now, ms: round(performance.now() - t0) };
}

async function timed(mesh: Mesh, headers: Record<string, string>, q: Query, runs: number, warmup: number) {
  const ms: number[] = [];
  let body = '';
  for (let i = 0; i < warmup + runs; i++) {
    const t = performance.now();
    const res = await gql(mesh.gateway.url, q.query, q.variables, 120_000, headers);
    const took = performance.now() - t;
    if (res.errors) throw new Error(`${q.range} ${q.name}: ${JSON.stringify(res.errors)}`);
    if (i >= warmup) ms.push(took);
    body = JSON.stringify(res.data);
  }
  return { latency: latencySummary(ms), body };
}

async function main() {
  progress(`attention analytics: ${fmt(args.events)} events over ${args.days} days`);
  const db = await startDatabase();
  const mesh = await startMesh(db, []);
  try {
    const runtime = mesh.attention.runtime;
    const loaded = await load(mesh);
    progress(`loaded ${fmt(loaded.result.stored)} events in ${fmt(loaded.ms / 1000, 1)} s`);
    if (!runtime.memory.rollups.active)
      progress(
        'the rollups are not held in memory (ATTENTION_MEMORY_ROLLUPS / ATTENTION_SINGLE_WRITER): every read is a query',
      );
    const headers = await gatewayHeaders();
    const all = queries(loaded.now);
    const results: { q: Query; latency: ReturnType<typeof latencySummary>; body: string }[] = [];
    for (const q of all) {
      const r = await timed(mesh, headers, q, args.repeats, args.warmup);
      results.push({ q, ...r });
      progress(`  ${q.range} ${q.name}: p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms`);
    }
    // In-process (the subgraph's side only): through the gateway the database path outlasts its 10 s
    // subgraph timeout. The same call answered from memory, then from the database.
    const before: { q: Query; memory: number; database: number; same: boolean }[] = [];
    if (args.before) {
      const { loadMemoryViews } = await importFromRepo<
        typeof import('../../subgraphs/attention/dist/projection/runner.js')
      >('subgraphs/attention/dist/projection/runner.js');
      const analytics = await importFromRepo<
        typeof import('../../subgraphs/attention/dist/analytics/analytics.js')
      >('subgraphs/attention/dist/analytics/analytics.js');
      const admin = { userId: 'usr-bench-admin', scopes: ['admin'] };
      const call = (q: Query) => {
        type Args = Parameters<typeof analytics.attentionSeries>[2] &
          Parameters<typeof analytics.attentionBreakdown>[2];
        const v = { ...q.variables } as unknown as Args & { from: string | number; to: string | number };
        const a = { ...v, from: Date.parse(String(v.from)), to: Date.parse(String(v.to)) };
        return q.query === SERIES
          ? analytics.attentionSeries(runtime, admin, a)
          : analytics.attentionBreakdown(runtime, admin, a);
      };
      const time = async (q: Query, runs: number) => {
        const ms: number[] = [];
        let answer = '';
        for (let i = 0; i < runs; i++) {
          const t = performance.now();
          answer = JSON.stringify(await call(q));
          ms.push(performance.now() - t);
        }
        return { p50: latencySummary(ms).p50, answer };
      };
      const picked = results.filter((x) => x.q.before).map((x) => x.q);
      const fromMemory = [];
      for (const q of picked) fromMemory.push(await time(q, args.repeats));
      runtime.memory.rollups.turnOff();
      for (const [i, q] of picked.entries()) {
        const old = await time(q, args.beforeRuns);
        before.push({
          q,
          memory: fromMemory[i]!.p50,
          database: old.p50,
          same: old.answer === fromMemory[i]!.answer,
        });
        progress(`  database path, ${q.range} ${q.name}: p50 ${old.p50} ms`);
      }
      await loadMemoryViews(runtime, mesh.attention.logger);
    }
    const verdict = (p99: number) => (p99 < args.targetMs ? 'yes' : 'NO');
    console.log(
      `\nattentionSeries / attentionBreakdown through the gateway, ${fmt(loaded.result.stored)} events, ` +
        `${fmt(runtime.memory.rollups.size)} rollups in memory; ${args.repeats} runs each; target p99 < ${args.targetMs} ms\n`,
    );
    console.log(
      table(
        ['range', 'query', 'p50 ms', 'p99 ms', 'max ms', `< ${args.targetMs} ms`],
        results.map((r) => [
          r.q.range,
          r.q.name,
          r.latency.p50,
          r.latency.p99,
          r.latency.max,
          verdict(r.latency.p99),
        ]),
      ),
    );
    if (before.length) {
      console.log(
        `\nbefore (database path, ${args.beforeRuns} runs) against after (rollups in memory, ${args.repeats} runs): ` +
          'the subgraph side, called in-process, same run\n',
      );
      console.log(
        table(
          ['range', 'query', 'before p50 ms', 'after p50 ms', 'speed-up', 'same answer'],
          before.map((b) => [
            b.q.range,
            b.q.name,
            b.database,
            b.memory,
            `${fmt(b.database / Math.max(b.memory, 0.1), 0)}x`,
            b.same ? 'yes' : 'NO',
          ]),
        ),
      );
    }
    const path = writeResults('attention-analytics.json', {
      args,
      events: loaded.result.stored,
      importMs: loaded.ms,
      rollupsInMemory: runtime.memory.rollups.size,
      after: results.map((r) => ({ range: r.q.range, query: r.q.name, latencyMs: r.latency })),
      before: before.map((b) => ({
        range: b.q.range,
        query: b.q.name,
        databaseP50Ms: b.database,
        memoryP50Ms: b.memory,
        sameAnswer: b.same,
      })),
    });
    progress(`results: ${path}`);
    if (before.some((b) => !b.same)) process.exitCode = 1;
  } finally {
    setTimeout(() => {
      progress('shutdown still waiting after 30 s: exiting');
      process.exit(process.exitCode ?? 0);
    }, 30_000).unref();
    await mesh.stop();
    await db.stop();
  }
}

await main();
