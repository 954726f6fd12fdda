/**
 * What issue 13's protections cost the gateway: CPU per request with every protection on against the
 * same gateway with them off, on three operations, side by side in one run (target: on / off <= 1.15).
 *
 * The five subgraphs run in child processes (`node subgraphs/<name>/dist/index.js`) on a private
 * embedded database, and so does each gateway (`gatewayProcess.ts`, forked with an IPC channel): the
 * CPU of a block of sequential requests is read from each gateway's own process before and after it, so
 * neither the client nor the other gateway (nor their garbage collection) falls on it. A block sends
 * pairs of requests, one to each gateway, alternating which goes first, so that the drift of a shared
 * machine falls on both alike. Progress on stderr, the table on stdout, the figures in bench/results/gateway-protection.json.
 */
import { loadavg } from 'node:os';
import { demoWorld, seedIfEmpty, signDevelopmentToken } from '@attention-mesh/mesh';
import { numericArgs } from '../shared/args.js';
import { startDatabase } from '../shared/database.js';
import { percentile } from '../shared/latency.js';
import { fmt, progress, round, table } from '../shared/output.js';
import { writeResults } from '../shared/repo.js';
import { SUBGRAPHS, type Subgraphs, startSubgraphs } from '../shared/subgraphs.js';
import { forkGateway, type GatewayProcess } from './forkGateway.js';

/** Issue 13's protections, by plugin name: what the "off" gateway leaves out (auth and access control stay). */
const PROTECTIONS = [
  'rate-limit',
  'persisted-operations',
  'demand-control',
  'resilience',
  'hardening',
] as const;
/** BENCH_WITHOUT=a,b leaves out only those in the "off" gateway: which protection costs what. */
const LEFT_OUT: readonly string[] = process.env.BENCH_WITHOUT
  ? process.env.BENCH_WITHOUT.split(',')
      .map((s) => s.trim())
      .filter(Boolean)
  : PROTECTIONS;
const TARGET = 1.15;

const args = numericArgs(
  'npm run bench:gateway-protection -- [flags]\n\n' +
    'Gateway CPU per request with the issue-13 protections on and off (rate limits, persisted operations,\n' +
    'demand control, resilience, hardening), on a single-subgraph query, the five-subgraph query of the\n' +
    'README and an aliased list, in rounds of paired requests; target on / off <= 1.15.',
  { rounds: 10, requests: 100, warmup: 100, aliases: 50 },
  {
    rounds: 'rounds; each runs one block of every operation on each gateway',
    requests: 'pairs of sequential requests (one to each gateway) per block',
    warmup: 'requests per operation and gateway before measuring (caches, JIT)',
    aliases: 'aliased item(id:) root fields of the aliased operation',
  },
);
if (args.rounds < 2 || args.requests < 1)
  throw new Error('--rounds must be at least 2 and --requests at least 1');

// ---------------------------------------------------------------------------------------------------
// The operations

interface Operation {
  key: string;
  label: string;
  /** Request bodies, used in turn. */
  bodies: string[];
}

const world = demoWorld();
const itemIds = world.items.map((i) => i.id as string);
const body = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });

const FIVE_SUBGRAPHS = `query FiveSubgraphs {
  user(id: "usr-demo-01") {
    displayName
    consent { analytics personalization adsPersonalization }
    attention { events impressions clicks engagedSeconds lastActiveAt }
    feedback(first: 3) { edges { node { kind occurredAt } } }
  }
  items(category: "sports", first: 3) {
    edges { node { title attentionStats { impressions clickThroughRate } feedbackSummary { likes } } }
  }
  campaign(id: "cmp-demo-1") {
    name dailyBudgetMicros advertiser { name } ads { name width height }
  }
}`;

const aliased = Array.from(
  { length: args.aliases },
  (_, i) => `  i${i}: item(id: "${itemIds[i % itemIds.length]}") { id title category }`,
).join('\n');

const OPERATIONS: Operation[] = [
  {
    key: 'single',
    label: 'single subgraph: item(id:) { id title category }',
    bodies: itemIds.map((id) =>
      body('query OneItem($id: ID!) { item(id: $id) { id title category } }', { id }),
    ),
  },
  { key: 'five', label: 'five subgraphs: the README query', bodies: [body(FIVE_SUBGRAPHS)] },
  {
    key: 'aliased',
    label: `aliased list: ${args.aliases} × item(id:) { id title category }`,
    bodies: [body(`query AliasedItems {\n${aliased}\n}`)],
  },
];

// ---------------------------------------------------------------------------------------------------
// The gateways, each in its own process

async function startGateways(urls: Record<string, string>) {
  const budget = '1000000000';
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    HOST: '127.0.0.1',
    PORT: '0',
    WATCH_SUPERGRAPH: 'false',
    // The admin is charged like anyone (as an analyst), within budgets it never exhausts.
    RATE_LIMIT_ADMIN_EXEMPT: 'false',
    RATE_LIMIT_ANALYST_REQUESTS: budget,
    RATE_LIMIT_ANALYST_COST: budget,
    RATE_LIMIT_PERSON_REQUESTS: budget,
    RATE_LIMIT_PERSON_COST: budget,
    // Demand control's defaults, raised only as far as the aliased operation needs (30 aliases, 20 root fields).
    MAX_ALIASES: String(Math.max(30, args.aliases)),
    MAX_ROOT_FIELDS: String(Math.max(20, args.aliases)),
    ...Object.fromEntries(SUBGRAPHS.map((n) => [`SUBGRAPH_${n.toUpperCase()}_URL`, urls[n]!])),
  };
  const [on, off] = await Promise.all([
    forkGateway('gateway-on', env, []),
    forkGateway('gateway-off', env, LEFT_OUT),
  ]);
  return { on, off };
}

interface Answer {
  status: number;
  text: string;
  rateLimited: boolean;
}

async function send(url: string, payload: string, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', headers, body: payload });
  const text = await res.text();
  const parsed = JSON.parse(text) as { errors?: { message: string; extensions?: { code?: string } }[] };
  if (res.status !== 200 || parsed.errors?.length) {
    const first = parsed.errors?.[0];
    throw new Error(
      `HTTP ${res.status} from ${url}: ${first ? `${first.extensions?.code ?? ''} ${first.message}` : text.slice(0, 300)}`,
    );
  }
  return { status: res.status, text, rateLimited: res.headers.has('ratelimit') };
}

// ---------------------------------------------------------------------------------------------------
// Measurement

type Target = 'on' | 'off';

interface Block {
  cpuUs: number;
  latenciesMs: number[];
}

/**
 * `n` pairs of sequential requests, one to each gateway, the first of a pair alternating between them:
 * both gateways work through the same moments of a noisy machine. The CPU each gateway's process spent
 * over the block, and each request's latency.
 */
async function pairedBlock(
  gateways: Record<Target, GatewayProcess>,
  op: Operation,
  n: number,
  headers: Record<string, string>,
  offset: number,
): Promise<Record<Target, Block>> {
  const latencies: Record<Target, number[]> = { on: [], off: [] };
  const before = { on: await gateways.on.usage(), off: await gateways.off.usage() };
  for (let i = 0; i < n; i++) {
    const payload = op.bodies[(offset + i) % op.bodies.length]!;
    for (const target of (offset + i) % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      const t0 = performance.now();
      await send(gateways[target].url, payload, headers);
      latencies[target].push(performance.now() - t0);
    }
  }
  const after = { on: await gateways.on.usage(), off: await gateways.off.usage() };
  return {
    on: { cpuUs: after.on.cpuUs - before.on.cpuUs, latenciesMs: latencies.on },
    off: { cpuUs: after.off.cpuUs - before.off.cpuUs, latenciesMs: latencies.off },
  };
}

const median = (values: number[]) => percentile(values, 50);

async function main(): Promise<void> {
  const loadStart = loadavg();
  if (process.env.MONGODB_URI) {
    // The subgraphs' event bus database is the default one: never mix it with another mesh's.
    progress('MONGODB_URI is ignored: this benchmark runs on a private embedded database');
    delete process.env.MONGODB_URI;
  }
  const db = await startDatabase('gateway-protection');
  let subgraphs: Subgraphs | undefined;
  let gateways: Record<Target, GatewayProcess> | undefined;
  try {
    progress('starting the five subgraphs in child processes');
    subgraphs = await startSubgraphs(db.uri, { dbPrefix: 'bench_protection' });
    gateways = await startGateways(subgraphs.urls);
    progress(
      `gateways up, each in its own process: protections on ${gateways.on.url}, off ${gateways.off.url} (without ${LEFT_OUT.join(', ')})`,
    );
    const token = await signDevelopmentToken({ sub: 'usr-bench-admin', scope: 'admin', ttl: '12h' });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const t = Date.now();
    const seeded = await seedIfEmpty(gateways.off.url, undefined, {
      headers: { authorization: headers.authorization },
    });
    progress(
      seeded ? `demo world seeded in ${((Date.now() - t) / 1000).toFixed(1)} s` : 'demo world already there',
    );

    // Warm-up, checks: both gateways answer without errors and alike, the "on" one with rate-limit headers.
    const checks: Record<
      string,
      {
        bytesOn: number;
        bytesOff: number;
        sameData: boolean;
        rateLimitHeaderOn: boolean;
        rateLimitHeaderOff: boolean;
      }
    > = {};
    for (const op of OPERATIONS) {
      const first = {
        on: await send(gateways.on.url, op.bodies[0]!, headers),
        off: await send(gateways.off.url, op.bodies[0]!, headers),
      };
      checks[op.key] = {
        bytesOn: first.on.text.length,
        bytesOff: first.off.text.length,
        sameData: first.on.text === first.off.text,
        rateLimitHeaderOn: first.on.rateLimited,
        rateLimitHeaderOff: first.off.rateLimited,
      };
      if (!first.on.rateLimited)
        throw new Error(
          `${op.key}: the "on" gateway sent no RateLimit header: the caller is not rate limited`,
        );
      if (first.off.rateLimited && LEFT_OUT.includes('rate-limit'))
        throw new Error(`${op.key}: the "off" gateway still rate limits`);
      if (!checks[op.key]!.sameData)
        progress(
          `note: ${op.key}: the two gateways' first answers differ (${first.on.text.length} / ${first.off.text.length} bytes)`,
        );
      await pairedBlock(gateways, op, args.warmup, headers, 0);
      progress(`warmed up ${op.key} (${args.warmup} requests per gateway)`);
    }

    // What each gateway spends with no request in flight (timers, GC): µs per second.
    const idle0 = { on: await gateways.on.usage(), off: await gateways.off.usage() };
    const idleT0 = performance.now();
    await new Promise((r) => setTimeout(r, 2_000));
    const idleMs = performance.now() - idleT0;
    const idle1 = { on: await gateways.on.usage(), off: await gateways.off.usage() };
    const idleUsPerSecond = {
      on: round(((idle1.on.cpuUs - idle0.on.cpuUs) * 1000) / idleMs),
      off: round(((idle1.off.cpuUs - idle0.off.cpuUs) * 1000) / idleMs),
    };
    progress(
      `idle: ${fmt(idleUsPerSecond.on)} / ${fmt(idleUsPerSecond.off)} µs CPU per second (on / off) with no request in flight`,
    );

    const blocks: Record<string, Record<Target, Block[]>> = Object.fromEntries(
      OPERATIONS.map((op) => [op.key, { on: [], off: [] }]),
    );
    for (let r = 0; r < args.rounds; r++) {
      for (const op of OPERATIONS) {
        const paired = await pairedBlock(gateways, op, args.requests, headers, r * args.requests);
        blocks[op.key]!.on.push(paired.on);
        blocks[op.key]!.off.push(paired.off);
      }
      const line = OPERATIONS.map((op) => {
        const b = blocks[op.key]!;
        return `${op.key} ${fmt(b.on[r]!.cpuUs / args.requests)}/${fmt(b.off[r]!.cpuUs / args.requests)}`;
      }).join(', ');
      progress(`round ${r + 1}/${args.rounds} (gateway CPU µs/request on/off): ${line}`);
    }
    const memory = { on: await gateways.on.usage(), off: await gateways.off.usage() };

    const results = OPERATIONS.map((op) => {
      const b = blocks[op.key]!;
      const n = args.rounds * args.requests;
      const perRequest = (t: Target) => b[t].reduce((s, x) => s + x.cpuUs, 0) / n;
      const lat = (t: Target) => b[t].flatMap((x) => x.latenciesMs);
      const on = perRequest('on');
      const off = perRequest('off');
      const roundRatios = b.on.map((x, i) => x.cpuUs / b.off[i]!.cpuUs);
      const ratio = on / off;
      return {
        operation: op.key,
        label: op.label,
        requestsPerGateway: n,
        cpuUsPerRequest: { on: round(on), off: round(off) },
        ratio: round(ratio, 3),
        roundRatios: {
          median: round(median(roundRatios), 3),
          min: round(Math.min(...roundRatios), 3),
          max: round(Math.max(...roundRatios), 3),
        },
        latencyMs: {
          on: { p50: round(percentile(lat('on'), 50), 2), p99: round(percentile(lat('on'), 99), 2) },
          off: { p50: round(percentile(lat('off'), 50), 2), p99: round(percentile(lat('off'), 99), 2) },
        },
        target: TARGET,
        met: ratio <= TARGET,
        check: checks[op.key],
      };
    });
    const loadEnd = loadavg();
    const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

    process.stdout.write(
      `\nGateway CPU per request, every protection on vs off (${LEFT_OUT.join(', ')} left out); auth and access control on in both.\n` +
        `${args.rounds} rounds × ${args.requests} pairs of sequential requests (one to each gateway, alternating which goes first) per operation, as admin (rate limited as an analyst).\n` +
        "CPU of each gateway's own process (GC included), read over its IPC channel before and after each block.\n\n",
    );
    process.stdout.write(
      `${table(
        [
          'operation',
          'CPU µs/req on',
          'off',
          'ratio',
          'round ratios (median, min-max)',
          'p50 ms on/off',
          'p99 ms on/off',
          'target',
          'met',
        ],
        results.map((r) => [
          r.label,
          fmt(r.cpuUsPerRequest.on),
          fmt(r.cpuUsPerRequest.off),
          r.ratio.toFixed(3),
          `${r.roundRatios.median.toFixed(3)} (${r.roundRatios.min.toFixed(2)}-${r.roundRatios.max.toFixed(2)})`,
          `${r.latencyMs.on.p50.toFixed(2)} / ${r.latencyMs.off.p50.toFixed(2)}`,
          `${r.latencyMs.on.p99.toFixed(2)} / ${r.latencyMs.off.p99.toFixed(2)}`,
          `≤ ${TARGET}`,
          r.met ? 'met' : 'missed',
        ]),
      )}\n\n` +
        `idle CPU per gateway ${fmt(idleUsPerSecond.on)} / ${fmt(idleUsPerSecond.off)} µs/s (on / off); ` +
        `RSS at the end ${mib(memory.on.rss)} / ${mib(memory.off.rss)} MiB; ` +
        `load average ${loadStart.map((l) => l.toFixed(1)).join(' ')} at start, ${loadEnd.map((l) => l.toFixed(1)).join(' ')} at the end\n`,
    );
    const path = writeResults('gateway-protection.json', {
      date: new Date().toISOString(),
      database: db.kind,
      args,
      protections: PROTECTIONS,
      leftOutWhenOff: LEFT_OUT,
      caller: 'admin (RATE_LIMIT_ADMIN_EXEMPT=false: charged with the analyst budgets, set to 1e9)',
      measured:
        "each gateway's own process: process.cpuUsage() before and after each block of paired requests",
      loadAverage: { start: loadStart, end: loadEnd },
      idleCpuUsPerSecond: idleUsPerSecond,
      rssBytesAtEnd: { on: memory.on.rss, off: memory.off.rss },
      results,
      allMet: results.every((r) => r.met),
    });
    progress(`results written to ${path}`);
  } finally {
    await gateways?.on.stop();
    await gateways?.off.stop();
    await subgraphs?.stop();
    await db.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
