/**
 * `npm run bench:gateway`: this gateway in its production configuration (protections on) against Hive
 * Gateway and plain @apollo/gateway + @apollo/server, each in its own process on the same supergraph and
 * worker count, over lean in-memory subgraphs (the gateway is the bottleneck) and the mesh's real
 * subgraphs on the embedded database. A load generator in its own process keeps `--connections`
 * requests in flight, in rounds of `--seconds` interleaved across the gateways (the order rotating),
 * after a warm-up; each gateway's CPU and peak memory are read from /proc. The answers of the three are
 * checked to carry identical data first. Progress on stderr, tables on stdout, the figures in
 * bench/results/gateway.json and the latency distributions in bench/results/gateway.html.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedIfEmpty } from '@attention-mesh/mesh';
import { signInternalContext } from '@attention-mesh/platform';
import { numericArgs } from '../shared/args.js';
import { progress } from '../shared/output.js';
import { descendantsOf, processUsage } from '../shared/procStat.js';
import { writeResults } from '../shared/repo.js';
import { SUBGRAPHS } from '../shared/subgraphs.js';
import { type Backend, type BackendKey, startBackend } from './backends.js';
import {
  CONTENDER_LABELS,
  CONTENDERS,
  type Contender,
  type ContenderKey,
  startContenders,
  writeSupergraph,
} from './contenders.js';
import { type Cell, summarise } from './gatewayCells.js';
import { gatewayOperations, type Operation } from './gatewayOperations.js';
import { printBackend, writeHtml } from './gatewayReport.js';
import { startIdentityProvider } from './jwks.js';
import { type LoadClient, startLoadClient } from './loadClient.js';
import { canonicalAnswer } from './sameData.js';

// `--backend` and `--quick` are not numbers: taken out before the numeric flags are parsed.
function takeFlag(name: string, withValue: boolean): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = withValue ? process.argv[i + 1] : 'true';
  process.argv.splice(i, withValue ? 2 : 1);
  return value;
}
const backendFlag = takeFlag('backend', true) ?? 'both';
if (!['lean', 'real', 'both'].includes(backendFlag)) throw new Error('--backend is lean, real or both');
const quick = takeFlag('quick', false) === 'true';
const given = new Set(process.argv.filter((a) => a.startsWith('--')).map((a) => a.slice(2)));
const args = numericArgs(
  'npm run bench:gateway -- [--backend lean|real|both] [--quick] [flags]\n\n' +
    'This gateway (production configuration, protections on) against Hive Gateway and plain\n' +
    '@apollo/gateway + @apollo/server on three operations, rotating and identical; --quick: 1 round of 1.5 s, 0.5 s of warm-up.',
  { rounds: 2, seconds: 4, warmup: 1, connections: 32, workers: 1 },
  {
    rounds: 'rounds; each runs every operation on every gateway once',
    seconds: 'seconds of load per operation, gateway and round',
    warmup: 'seconds of load per operation and gateway before measuring',
    connections: 'connections of the load generator (requests in flight)',
    workers: 'worker processes of each gateway (GATEWAY_WORKERS, hive --fork, node:cluster)',
  },
);
if (quick) {
  if (!given.has('rounds')) args.rounds = 1;
  if (!given.has('seconds')) args.seconds = 1.5;
  if (!given.has('warmup')) args.warmup = 0.5;
}
if (args.rounds < 1 || args.seconds <= 0 || args.connections < 1 || args.workers < 1)
  throw new Error('--rounds, --seconds, --connections and --workers must be positive');
const BACKENDS: BackendKey[] = backendFlag === 'both' ? ['lean', 'real'] : [backendFlag as BackendKey];

/** The caller of every request: an admin, as a person signed in with a bearer token. */
const CALLER = { userId: 'usr-bench-admin', scopes: ['admin'] };

async function checkSameData(ops: Operation[], gateways: Record<ContenderKey, Contender>) {
  const checks: Record<string, { same: boolean; errors: string[] }> = {};
  for (const op of ops) {
    const errors: string[] = [];
    let same = true;
    for (const payload of op.bodies.slice(0, 5)) {
      const answers: Partial<Record<ContenderKey, { data: string; errors: string[] }>> = {};
      for (const key of CONTENDERS) {
        const g = gateways[key];
        const res = await fetch(g.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...g.headers },
          body: payload,
        });
        const answer = canonicalAnswer(await res.text());
        answers[key] = answer;
        if (res.status !== 200 || answer.errors.length)
          errors.push(`${CONTENDER_LABELS[key]}: HTTP ${res.status} ${answer.errors.join('; ')}`);
      }
      if (answers.hive?.data !== answers.mesh?.data || answers.apollo?.data !== answers.mesh?.data)
        same = false;
    }
    checks[op.key] = { same, errors };
    progress(
      `${op.key}: ${same ? 'identical data from the three gateways' : 'the gateways answer DIFFERENT data'}${errors.length ? ` (errors: ${errors[0]})` : ''}`,
    );
  }
  return checks;
}

async function measureBackend(key: BackendKey, load: LoadClient, ops: Operation[]) {
  const internalSecret = randomBytes(32).toString('hex');
  const idp = await startIdentityProvider();
  const dir = mkdtempSync(join(tmpdir(), 'gateway-bench-'));
  let backend: Backend | undefined;
  let gateways: Record<ContenderKey, Contender> | undefined;
  try {
    progress(`${key} back end: starting the five subgraphs`);
    backend = await startBackend(key, internalSecret);
    const supergraphFile = join(dir, 'supergraph.graphql');
    writeSupergraph(supergraphFile, backend.urls);
    const token = idp.sign(CALLER.userId, CALLER.scopes.join(' '), 12 * 3600);
    const budget = '1000000000';
    gateways = await startContenders({
      supergraphFile,
      workers: args.workers,
      meshEnv: {
        JWT_JWKS_URL: idp.jwksUrl,
        JWT_ISSUER: idp.issuer,
        JWT_AUDIENCE: idp.audience,
        MESH_INTERNAL_SECRET: internalSecret,
        MESH_ERASURE_SECRET: randomBytes(32).toString('hex'),
        // Only for subscriptions (none here): the real back end's database, else one never opened.
        MONGODB_URI: backend.mongoUri ?? 'mongodb://127.0.0.1:9/unused',
        // Rate limiting stays on and charges the admin (as an analyst), with budgets a run never spends.
        RATE_LIMIT_ADMIN_EXEMPT: 'false',
        RATE_LIMIT_ANALYST_REQUESTS: budget,
        RATE_LIMIT_ANALYST_COST: budget,
        RATE_LIMIT_PERSON_REQUESTS: budget,
        RATE_LIMIT_PERSON_COST: budget,
      },
      meshHeaders: { authorization: `Bearer ${token}` },
      // One context per run, valid for 12 h: the subgraphs check only signature and expiry.
      forwardedHeaders: {
        'x-mesh-context': signInternalContext(CALLER, internalSecret, { ttlMs: 12 * 3_600_000 }),
      },
    });
    progress(
      `${key} back end: gateways up (${CONTENDERS.map((c) => `${c} ${gateways![c].url}`).join(', ')})`,
    );
    // GATEWAY_WORKERS is new in this gateway: a build without it runs one process whatever is asked.
    if (args.workers > 1 && descendantsOf(gateways.mesh.pid).length === 0)
      progress(
        `warning: this gateway runs one process, not ${args.workers} (a build without GATEWAY_WORKERS)`,
      );
    if (key === 'real') {
      const t = Date.now();
      await seedIfEmpty(gateways.mesh.url, undefined, { headers: gateways.mesh.headers });
      progress(`demo world seeded in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
    const checks = await checkSameData(ops, gateways);

    const run = async (op: Operation, c: Contender, seconds: number) =>
      load.run({ url: c.url, headers: c.headers, bodies: op.bodies, connections: args.connections, seconds });
    for (const op of ops) for (const c of CONTENDERS) await run(op, gateways[c], args.warmup);
    progress(`${key} back end: warmed up (${args.warmup} s per operation and gateway)`);

    const cells: Cell[] = [];
    const snapshot = () => ({
      gateways: Object.fromEntries(CONTENDERS.map((c) => [c, processUsage(gateways![c].pid).cpuMs])),
      subgraphs: Object.fromEntries(SUBGRAPHS.map((s) => [s, processUsage(backend!.pids[s], false).cpuMs])),
      database: backend!.databasePid ? processUsage(backend!.databasePid).cpuMs : 0,
    });
    for (let r = 0; r < args.rounds; r++) {
      for (const [i, op] of ops.entries()) {
        // The order rotates, so that no gateway always runs first after another's load.
        const shift = (r + i) % CONTENDERS.length;
        const order = [...CONTENDERS.slice(shift), ...CONTENDERS.slice(0, shift)];
        for (const c of order) {
          await gateways.apollo.fetches?.();
          const before = snapshot();
          const reply = await run(op, gateways[c], args.seconds);
          const after = snapshot();
          const fetches = c === 'apollo' ? await gateways.apollo.fetches?.() : undefined;
          cells.push({
            op: op.key,
            contender: c,
            reply,
            gatewayCpuMs: after.gateways[c]! - before.gateways[c]!,
            subgraphCpuMs: Object.fromEntries(
              SUBGRAPHS.map((s) => [s, after.subgraphs[s]! - before.subgraphs[s]!]),
            ),
            databaseCpuMs: after.database - before.database,
            ...(fetches ? { fetchLatenciesMs: fetches } : {}),
          });
        }
        const line = cells
          .slice(-order.length)
          .map(
            (cell) =>
              `${cell.contender} ${((cell.reply.ok * 1000) / cell.reply.elapsedMs).toFixed(0)} rps${cell.reply.errors ? ` (${cell.reply.errors} errors)` : ''}`,
          )
          .join(', ');
        progress(`${key} round ${r + 1}/${args.rounds} ${op.key}: ${line}`);
      }
    }
    const peakRssBytes = Object.fromEntries(
      CONTENDERS.map((c) => [c, processUsage(gateways![c].pid).peakRssBytes]),
    );
    return {
      backend: key,
      databaseKind: backend.databaseKind,
      checks,
      peakRssBytes,
      ...summarise(cells, ops),
    };
  } finally {
    if (gateways) await Promise.all(CONTENDERS.map((c) => gateways![c].stop()));
    await backend?.stop();
    await idp.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const loadStart = loadavg();
  if (process.env.MONGODB_URI && BACKENDS.includes('real'))
    progress('MONGODB_URI is ignored: the real back end runs on a private embedded database');
  const ops = gatewayOperations();
  const load = startLoadClient();
  try {
    const results = [];
    for (const key of BACKENDS) {
      const result = await measureBackend(key, load, ops);
      results.push(result);
      process.stdout.write(printBackend(result, ops, args));
    }
    const loadEnd = loadavg();
    process.stdout.write(
      `\nload average ${loadStart.map((l) => l.toFixed(1)).join(' ')} at start, ${loadEnd.map((l) => l.toFixed(1)).join(' ')} at the end\n`,
    );
    const path = writeResults('gateway.json', {
      date: new Date().toISOString(),
      args: { ...args, backend: backendFlag, quick },
      contenders: CONTENDER_LABELS,
      loadAverage: { start: loadStart, end: loadEnd },
      results,
    });
    progress(`results written to ${path} and ${writeHtml(results, ops)}`);
  } finally {
    await load.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
