/**
 * requestAds end to end, through the ads subgraph over HTTP or through a gateway in front of it
 * (`--via`), with 10,000 active campaigns next to the same requests with 100 (or the sizes given), and
 * for each size one arm per decision-log setting (`--batch`, ADS_DECISION_BATCH_MAX: group commit on,
 * 0 = each decision inserted alone with its counters written before it answers, as before): decision
 * time measured inside the subgraph (around the in-memory decision: index lookup, pCTR, ranking,
 * auction, reservation) and end to end (HTTP, validation, the decision log write, the gateway when
 * there is one), side by side with the 25 ms target. The arms share one database and world and run
 * interleaved (a chunk of requests each, in turn), so a loaded machine's swings fall on both alike.
 * Worlds come from `world.ts` (the pure decision benchmark's generator), written straight into the
 * subgraph's collections, then loaded the way the subgraph loads at start. Progress to stderr, the
 * table to stdout.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { adsSubgraph } from '@attention-mesh/ads-subgraph';
import { signDevelopmentToken } from '@attention-mesh/mesh';
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
import { cpuMeter } from '../attention/common.js';
import type { GatewayProcess } from '../gateway/forkGateway.js';
import { startDatabase } from '../shared/database.js';
import { keepAliveAgent, postJson } from '../shared/keepAlivePost.js';
import { progress } from '../shared/output.js';
import { fmt, quantile, resultsDir, table } from './common.js';
import { forkAdsGateway } from './gatewayFork.js';
import { writeWorld } from './subgraphWorld.js';
import { generateRequest, generateWorld, seededRandom } from './world.js';

const { values: args } = parseArgs({
  options: {
    campaigns: { type: 'string', default: '10000,100' },
    requests: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '1' },
    via: { type: 'string', default: 'subgraph' },
    batch: { type: 'string', default: '200,0' },
    chunk: { type: 'string', default: '200' },
    seed: { type: 'string', default: '7' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write(`npm run bench:ads-subgraph -- [--campaigns 10000,100] [--requests 2000] [--warmup 300]
  [--concurrency 1] [--via subgraph|gateway] [--batch 200,0] [--chunk 200] [--seed 7]
--batch: ADS_DECISION_BATCH_MAX of each arm (0 = no group commit); --chunk: requests per arm in turn.
Uses MONGODB_URI when set, else a private embedded database in a temporary folder.\n`);
  process.exit(0);
}
if (args.via !== 'subgraph' && args.via !== 'gateway') throw new Error('--via is subgraph or gateway');
const via = args.via;
const sizes = args.campaigns.split(',').map((s) => Number.parseInt(s, 10));
const batches = args.batch.split(',').map((s) => Number.parseInt(s, 10));
const requests = Number.parseInt(args.requests, 10);
const warmup = Number.parseInt(args.warmup, 10);
const concurrency = Number.parseInt(args.concurrency, 10);
const chunk = Math.max(concurrency, Number.parseInt(args.chunk, 10));
const seed = Number.parseInt(args.seed, 10);
const TARGET_P99_MS = 25;

const REQUEST = `mutation($i: RequestAdsInput!) { requestAds(input: $i) { id noFillReason chargeMicros candidates } }`;

interface Run {
  campaigns: number;
  batch: number;
  server: number[];
  serverCpu: number[];
  e2e: number[];
  filled: number;
  candidates: number;
  reasons: Record<string, number>;
  /** CPU of this process (client and subgraph) and of the database while the arm's requests ran, ms. */
  nodeCpuMs: number;
  dbCpuMs: number | null;
}

interface Arm {
  run: Run;
  sg: RunningSubgraph<AdsRuntime>;
  gateway?: GatewayProcess;
  url: URL;
  headers: Record<string, string>;
  /** One keep-alive connection per request in flight. */
  agent: Agent;
}

async function startArm(uri: string, dbName: string, n: number, batch: number): Promise<Arm> {
  const config = loadConfig(
    'ads',
    {
      NODE_ENV: 'test',
      PORT: '0',
      MONGODB_URI: uri,
      MONGODB_DB: dbName,
      MODELS_DIR: mkdtempSync(join(tmpdir(), 'ads-bench-models-')),
      ADS_DECISION_BATCH_MAX: String(batch),
    },
    adsSubgraph.config,
  );
  const logger = pino({ level: 'warn' }, pino.destination({ dest: 2, sync: true }));
  const sg = (await startSubgraph(adsSubgraph, config, {
    logger,
    busDbName: `bench_bus_${randomBytes(3).toString('hex')}`,
  })) as RunningSubgraph<AdsRuntime>;
  const run: Run = {
    campaigns: n,
    batch,
    server: [],
    serverCpu: [],
    e2e: [],
    filled: 0,
    candidates: 0,
    reasons: {},
    nodeCpuMs: 0,
    dbCpuMs: 0,
  };
  if (via === 'gateway') {
    const gateway = await forkAdsGateway(`gateway-batch-${batch}`, sg.url);
    // The caller a person's JWT makes at the gateway: an admin (the generated placements have no
    // publisher and the requests name many users).
    const token = await signDevelopmentToken({ sub: 'usr-bench-admin', scope: 'admin', ttl: '12h' });
    return {
      run,
      sg,
      gateway,
      url: new URL(gateway.url),
      headers: { authorization: `Bearer ${token}` },
      agent: keepAliveAgent(concurrency),
    };
  }
  // The context the gateway would sign for that admin, signed once for the whole run (not a cost of
  // each request).
  const context = signInternalContext({ scopes: [Scope.ADMIN] }, config.internalSecret, {
    ttlMs: 60 * 60_000,
  });
  return {
    run,
    sg,
    url: new URL(sg.url),
    headers: { [INTERNAL_CONTEXT_HEADER]: context },
    agent: keepAliveAgent(concurrency),
  };
}

async function runSize(uri: string, dbPid: number | undefined, n: number): Promise<Run[]> {
  const now = Date.now();
  const world = generateWorld({ campaigns: n, seed, at: now });
  const dbName = `bench_ads_${n}_${randomBytes(3).toString('hex')}`;
  const arms: Arm[] = [];
  try {
    for (const b of batches) arms.push(await startArm(uri, dbName, n, b));
    progress(`${fmt(n)} campaigns: writing the world`);
    await writeWorld(arms[0]!.sg.runtime, world, now);
    const loadStart = Date.now();
    for (const a of arms) await a.sg.runtime.ads.reload();
    progress(
      `${fmt(n)} campaigns: ${fmt(arms[0]!.sg.runtime.ads.catalog.index.size)} indexed in ${fmt((Date.now() - loadStart) / arms.length)} ms (each arm)`,
    );
    // The same request sequence for every size and arm.
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
    const send = async (arm: Arm, i: number) => {
      const start = performance.now();
      const body = await postJson<{
        data?: { requestAds: { noFillReason: string | null; candidates: number } };
        errors?: { message: string }[];
      }>(arm.agent, arm.url, JSON.stringify({ query: REQUEST, variables: { i: inputs[i] } }), arm.headers);
      if (body.errors) throw new Error(`requestAds failed: ${body.errors[0]?.message}`);
      if (i < warmup) return;
      const run = arm.run;
      run.e2e.push(performance.now() - start);
      const d = body.data!.requestAds;
      run.candidates += d.candidates;
      if (d.noFillReason === null) run.filled++;
      else run.reasons[d.noFillReason] = (run.reasons[d.noFillReason] ?? 0) + 1;
    };
    // `concurrency` requests in flight on one arm at a time; the arms take turns by chunk.
    const span = async (arm: Arm, from: number, to: number) => {
      let next = from;
      const worker = async () => {
        while (next < to) await send(arm, next++);
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
    };
    for (const a of arms) {
      await span(a, 0, warmup);
      a.sg.runtime.ads.timings.take();
    }
    for (let from = warmup; from < inputs.length; from += chunk) {
      for (const a of arms) {
        const cpu = cpuMeter(dbPid);
        await span(a, from, Math.min(inputs.length, from + chunk));
        const used = cpu();
        a.run.nodeCpuMs += used.nodeCpuMs;
        a.run.dbCpuMs = used.dbCpuMs === null || a.run.dbCpuMs === null ? null : a.run.dbCpuMs + used.dbCpuMs;
      }
      progress(
        `${fmt(n)} campaigns: ${fmt(Math.min(inputs.length, from + chunk) - warmup)} requests per arm`,
      );
    }
    for (const a of arms) {
      const timings = a.sg.runtime.ads.timings.take();
      a.run.server = timings.wall.map((us) => us / 1000);
      a.run.serverCpu = timings.cpu.map((us) => us / 1000);
    }
    return arms.map((a) => a.run);
  } finally {
    // Stopping writes the counts not yet flushed (thousands of upserts at 10,000 campaigns).
    for (const a of arms) {
      a.agent.destroy();
      await a.gateway?.stop();
      await a.sg.stop();
    }
    const logger = pino({ level: 'warn' });
    const conn = await connectMongo({ uri, dbName, logger });
    await conn.dropDatabase().catch(() => {});
    await conn.close();
  }
}

const db = await startDatabase();
progress(`database: ${db.kind} at ${db.uri}`);
const runs: Run[] = [];
try {
  for (const n of sizes) runs.push(...(await runSize(db.uri, db.pid, n)));
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
    decisionBatchMax: r.batch,
    requests: r.e2e.length,
    serverP50: quantile(s, 0.5),
    serverP99: quantile(s, 0.99),
    cpuP50: quantile(c, 0.5),
    cpuP99: quantile(c, 0.99),
    e2eP50: quantile(e, 0.5),
    e2eP99: quantile(e, 0.99),
    nodeCpuPerRequestMs: r.nodeCpuMs / r.e2e.length,
    dbCpuPerRequestMs: r.dbCpuMs === null ? null : r.dbCpuMs / r.e2e.length,
    fillRate: r.filled / r.e2e.length,
    meanCandidates: r.candidates / r.e2e.length,
    noFill: r.reasons,
  };
});
process.stdout.write(
  `\nrequestAds through the ${via === 'gateway' ? 'gateway and the ads subgraph' : 'ads subgraph'} (HTTP, ${concurrency} in flight, ${fmt(requests)} requests per arm after ${fmt(warmup)} warm-up, arms in turns of ${fmt(chunk)}; ${db.kind})\n\n`,
);
const armName = (b: number) => (b > 0 ? `group commit (${fmt(b)})` : 'none (0)');
process.stdout.write(
  `${table(
    [
      'active campaigns',
      'ADS_DECISION_BATCH_MAX',
      'decision p50 ms',
      'decision p99 ms',
      'decision CPU p50 ms',
      'decision CPU p99 ms',
      'end-to-end p50 ms',
      'end-to-end p99 ms',
      `target p99 < ${TARGET_P99_MS} ms`,
      'CPU ms/request (node, db)',
      'fill rate',
      'candidates',
    ],
    rows.map((r) => [
      fmt(r.campaigns),
      armName(r.decisionBatchMax),
      ms(r.serverP50),
      ms(r.serverP99),
      ms(r.cpuP50),
      ms(r.cpuP99),
      ms(r.e2eP50),
      ms(r.e2eP99),
      r.e2eP99 < TARGET_P99_MS ? 'met' : 'missed',
      `${ms(r.nodeCpuPerRequestMs)}, ${r.dbCpuPerRequestMs === null ? '-' : ms(r.dbCpuPerRequestMs)}`,
      `${fmt(r.fillRate * 100, 1)} %`,
      fmt(r.meanCandidates, 1),
    ]),
  )}\n\n`,
);
for (const n of sizes) {
  const of = rows.filter((r) => r.campaigns === n);
  const on = of.find((r) => r.decisionBatchMax > 0);
  const off = of.find((r) => r.decisionBatchMax === 0);
  if (on && off)
    process.stdout.write(
      `${fmt(n)} campaigns: end-to-end p50 ${fmt(off.e2eP50 / on.e2eP50, 2)}x, p99 ${fmt(off.e2eP99 / on.e2eP99, 2)}x faster with group commit (${ms(off.e2eP99)} -> ${ms(on.e2eP99)} ms p99; the decision itself ${ms(on.serverP99)} ms p99)\n`,
    );
}
const largest = rows.reduce((a, b) => (b.campaigns > a.campaigns ? b : a));
process.stdout.write(
  `decision p99 at ${fmt(largest.campaigns)} campaigns: ${ms(largest.serverP99)} ms wall, ${ms(largest.cpuP99)} ms CPU (target < 10 ms: ${
    largest.serverP99 < 10 ? 'met' : 'missed'
  } on wall clock)\n`,
);
const file = join(resultsDir(), 'ads-subgraph.json');
writeFileSync(
  file,
  JSON.stringify({ at: new Date().toISOString(), db: db.kind, via, concurrency, chunk, rows }, null, 2),
);
progress(`results in ${file}`);
