/**
 * requestAds through the ads subgraph over HTTP, with 10,000 active campaigns next to the same requests
 * with 100 (or the sizes given): decision time measured inside the subgraph (around the in-memory
 * decision: index lookup, pCTR, ranking, auction, reservation) and end to end (HTTP, validation, the
 * decision log insert and the delivery rollups), side by side. Worlds come from `world.ts` (the pure
 * decision benchmark's generator), written straight into the subgraph's collections, then loaded the
 * way the subgraph loads at start. Progress to stderr, the table to stdout.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { adsSubgraph } from '@attention-mesh/ads-subgraph';
import {
  connectMongo,
  INTERNAL_CONTEXT_HEADER,
  loadConfig,
  type RunningSubgraph,
  Scope,
  signInternalContext,
  startSubgraph,
} from '@attention-mesh/platform';
import { pino } from 'pino';
import type { AdsRuntime } from '../../subgraphs/ads/dist/runtime.js';
import { startDatabase } from '../shared/database.js';
import { progress } from '../shared/output.js';
import { fmt, quantile, resultsDir, table } from './common.js';
import { generateRequest, generateWorld, seededRandom, type World } from './world.js';

const { values: args } = parseArgs({
  options: {
    campaigns: { type: 'string', default: '10000,100' },
    requests: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '1' },
    seed: { type: 'string', default: '7' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write(`npm run bench:ads-subgraph -- [--campaigns 10000,100] [--requests 2000] [--warmup 300]
  [--concurrency 1] [--seed 7]
Uses MONGODB_URI when set, else a private embedded database in a temporary folder.\n`);
  process.exit(0);
}
const sizes = args.campaigns.split(',').map((s) => Number.parseInt(s, 10));
const requests = Number.parseInt(args.requests, 10);
const warmup = Number.parseInt(args.warmup, 10);
const concurrency = Number.parseInt(args.concurrency, 10);
const seed = Number.parseInt(args.seed, 10);

/** Writes the generated world into the subgraph's collections, as its mutations would store it. */
async function writeWorld(models: AdsRuntime, world: World, now: number): Promise<void> {
  const advertisers = new Map<string, string>();
  for (const c of world.campaigns)
    if (!advertisers.has(c.advertiserId)) advertisers.set(c.advertiserId, c.timezone);
  const chunks = async <T>(
    model: { insertMany(docs: T[], o: { ordered: false }): Promise<unknown> },
    docs: T[],
  ) => {
    for (let i = 0; i < docs.length; i += 1000)
      await model.insertMany(docs.slice(i, i + 1000), { ordered: false });
  };
  await chunks(
    models.Advertiser,
    [...advertisers].map(([_id, timezone]) => ({ _id, name: _id, timezone, createdAt: now })),
  );
  await chunks(
    models.Placement,
    world.placements.map((p) => ({
      _id: p.id,
      name: p.id,
      width: p.width,
      height: p.height,
      floorMicros: p.floorMicros,
      auctionType: p.auctionType,
      createdAt: now,
    })),
  );
  await chunks(
    models.Campaign,
    world.campaigns.map((c) => ({
      _id: c.id,
      advertiserId: c.advertiserId,
      name: c.id,
      status: c.status,
      dailyBudgetMicros: c.dailyBudgetMicros,
      totalBudgetMicros: c.totalBudgetMicros,
      startAt: c.startAt,
      endAt: c.endAt,
      bidType: c.bidType,
      bidMicros: c.bidMicros,
      pacing: c.pacing,
      targeting: c.targeting,
      schedule: c.schedule,
      frequencyCaps: c.frequencyCaps.map((f) => ({
        scope: f.scope,
        max: f.max,
        windowSeconds: f.windowMs / 1000,
      })),
      blockedCategories: c.blockedCategories,
      createdAt: now,
      updatedAt: now,
    })),
  );
  await chunks(
    models.Ad,
    world.campaigns.flatMap((c) =>
      c.ads.map((a) => ({
        _id: a.id,
        campaignId: c.id,
        name: a.id,
        status: a.status,
        creativeUrl: 'https://cdn.example.com/a.png',
        landingUrl: 'https://example.com/',
        width: a.width,
        height: a.height,
        createdAt: now,
      })),
    ),
  );
}

const REQUEST = `mutation($i: RequestAdsInput!) { requestAds(input: $i) { id noFillReason chargeMicros candidates } }`;

interface Run {
  campaigns: number;
  server: number[];
  serverCpu: number[];
  e2e: number[];
  filled: number;
  candidates: number;
  reasons: Record<string, number>;
}

async function runSize(uri: string, n: number): Promise<Run> {
  const now = Date.now();
  const world = generateWorld({ campaigns: n, seed, at: now });
  const config = loadConfig(
    'ads',
    {
      NODE_ENV: 'test',
      PORT: '0',
      MONGODB_URI: uri,
      MONGODB_DB: `bench_ads_${n}_${randomBytes(3).toString('hex')}`,
      MODELS_DIR: mkdtempSync(join(tmpdir(), 'ads-bench-models-')),
    },
    adsSubgraph.config,
  );
  const logger = pino({ level: 'warn' }, pino.destination({ dest: 2, sync: true }));
  const sg = (await startSubgraph(adsSubgraph, config, {
    logger,
    busDbName: `bench_bus_${randomBytes(3).toString('hex')}`,
  })) as RunningSubgraph<AdsRuntime>;
  try {
    progress(`${fmt(n)} campaigns: writing the world`);
    await writeWorld(sg.runtime, world, now);
    const loadStart = Date.now();
    await sg.runtime.ads.reload();
    progress(
      `${fmt(n)} campaigns: ${fmt(sg.runtime.ads.catalog.index.size)} indexed in ${fmt(Date.now() - loadStart)} ms`,
    );
    // The same request sequence for every size.
    const rng = seededRandom(seed + 1);
    const inputs = Array.from({ length: warmup + requests }, () => {
      const r = generateRequest(rng, world, now);
      return {
        placementId: r.placement.id,
        userId: r.user?.id ?? null,
        segments: r.user?.segments ?? [],
        context: {
          country: r.context.country,
          device: r.context.device,
          category: r.context.category ?? null,
        },
      };
    });
    // The caller the gateway would sign: an admin, since the generated placements have no publisher and
    // the requests name many users. Signed once, valid for the whole run (not a cost of each request).
    const context = signInternalContext({ scopes: [Scope.ADMIN] }, config.internalSecret, {
      ttlMs: 60 * 60_000,
    });
    const e2e: number[] = [];
    const run: Run = { campaigns: n, server: [], serverCpu: [], e2e, filled: 0, candidates: 0, reasons: {} };
    let next = 0;
    const worker = async () => {
      while (next < inputs.length) {
        const i = next++;
        const start = performance.now();
        const res = await fetch(sg.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [INTERNAL_CONTEXT_HEADER]: context },
          body: JSON.stringify({ query: REQUEST, variables: { i: inputs[i] } }),
        });
        const body = (await res.json()) as {
          data?: { requestAds: { noFillReason: string | null; candidates: number } };
          errors?: { message: string }[];
        };
        if (body.errors) throw new Error(`requestAds failed: ${body.errors[0]?.message}`);
        if (i === warmup - 1 || (warmup === 0 && i === 0)) sg.runtime.ads.timings.take();
        if (i < warmup) continue;
        e2e.push(performance.now() - start);
        const d = body.data!.requestAds;
        run.candidates += d.candidates;
        if (d.noFillReason === null) run.filled++;
        else run.reasons[d.noFillReason] = (run.reasons[d.noFillReason] ?? 0) + 1;
        if ((i - warmup + 1) % 500 === 0) progress(`${fmt(n)} campaigns: ${fmt(i - warmup + 1)} requests`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const timings = sg.runtime.ads.timings.take();
    run.server = timings.wall.map((us) => us / 1000);
    run.serverCpu = timings.cpu.map((us) => us / 1000);
    return run;
  } finally {
    // Stopping writes the request counts not yet flushed (thousands of upserts at 10,000 campaigns).
    await sg.stop();
    const conn = await connectMongo({ uri, dbName: config.mongo.dbName, logger });
    await conn.dropDatabase().catch(() => {});
    await conn.close();
  }
}

const db = await startDatabase();
progress(`database: ${db.kind} at ${db.uri}`);
const runs: Run[] = [];
try {
  for (const n of sizes) runs.push(await runSize(db.uri, n));
} finally {
  await db.stop();
}

const ms = (v: number) => fmt(v, 3);
const rows = runs.map((r) => {
  const s = [...r.server].sort((a, b) => a - b);
  const e = [...r.e2e].sort((a, b) => a - b);
  const c = [...r.serverCpu].sort((a, b) => a - b);
  return {
    campaigns: r.campaigns,
    requests: r.e2e.length,
    serverP50: quantile(s, 0.5),
    serverP99: quantile(s, 0.99),
    cpuP50: quantile(c, 0.5),
    cpuP99: quantile(c, 0.99),
    e2eP50: quantile(e, 0.5),
    e2eP99: quantile(e, 0.99),
    fillRate: r.filled / r.e2e.length,
    meanCandidates: r.candidates / r.e2e.length,
    noFill: r.reasons,
  };
});
process.stdout.write(
  `\nrequestAds through the ads subgraph (HTTP, ${concurrency} in flight, ${fmt(requests)} requests after ${fmt(warmup)} warm-up; ${db.kind})\n\n`,
);
process.stdout.write(
  `${table(
    [
      'active campaigns',
      'decision p50 ms',
      'decision p99 ms',
      'decision CPU p50 ms',
      'decision CPU p99 ms',
      'end-to-end p50 ms',
      'end-to-end p99 ms',
      'fill rate',
      'candidates',
    ],
    rows.map((r) => [
      fmt(r.campaigns),
      ms(r.serverP50),
      ms(r.serverP99),
      ms(r.cpuP50),
      ms(r.cpuP99),
      ms(r.e2eP50),
      ms(r.e2eP99),
      `${fmt(r.fillRate * 100, 1)} %`,
      fmt(r.meanCandidates, 1),
    ]),
  )}\n\n`,
);
const largest = rows.reduce((a, b) => (b.campaigns > a.campaigns ? b : a));
const smallest = rows.reduce((a, b) => (b.campaigns < a.campaigns ? b : a));
process.stdout.write(
  `decision p99 at ${fmt(largest.campaigns)} campaigns: ${ms(largest.serverP99)} ms wall, ${ms(largest.cpuP99)} ms CPU (target < 10 ms: ${
    largest.serverP99 < 10 ? 'met' : 'missed'
  } on wall clock); ${fmt(largest.serverP99 / smallest.serverP99, 2)}x the wall p99 at ${fmt(smallest.campaigns)}\n`,
);
const file = join(resultsDir(), 'ads-subgraph.json');
writeFileSync(
  file,
  JSON.stringify({ at: new Date().toISOString(), db: db.kind, concurrency, rows }, null, 2),
);
progress(`results in ${file}`);
