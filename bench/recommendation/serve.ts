/**
 * Recommendation serving: imports the Games sequences (23,715 items, 31,013 users) into a fresh embedded
 * database, starts the recommendation subgraph in-process twice on it (micro-batcher on: REC_MAX_BATCH
 * 128; off: REC_MAX_BATCH 1, one forward pass per request) with the SASRec model of the registry, and
 * asks `User.recommendations(first: 10)` over HTTP (`_entities`, as the gateway would) at concurrency 1
 * and 64 for distinct users, then the same `_entities` request with nothing ranked (the fixed cost of
 * a request), and times the forward pass alone (GFLOP/s) next to a plain 2-D matMul on the same backend.
 * Next to the client's latencies: the time inside the service (request event to response end) and the
 * load generator's own event-loop lag, which say where the rest of the latency was spent.
 *
 *   npm run bench:rec -- [--requests 2000] [--models-dir <registry>] [--data <user item file>] [--help]
 */

import { fork } from 'node:child_process';
import { subscribe } from 'node:diagnostics_channel';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  groupByLength,
  latestVersion,
  SASREC_MODEL_NAME,
  SasRecModel,
  saveVersion,
  selectBackend,
} from '@attention-mesh/ml';
import {
  buildVocabulary,
  evaluationSet,
  leaveOneOut,
  readSequences,
  trainSasRec,
} from '@attention-mesh/ml/training';
import { loadConfig, type RunningSubgraph, startSubgraph } from '@attention-mesh/platform';
import { type RecommendationRuntime, recommendationSubgraph } from '@attention-mesh/recommendation-subgraph';
import * as tf from '@tensorflow/tfjs';
import {
  fmt,
  importFromRepo,
  latencySummary,
  progress,
  REPO_ROOT,
  round,
  startDatabase,
  stderrLogger,
  table,
  writeResults,
} from './common.js';
import type { LoadJob, LoadResult } from './load.js';

const { values } = parseArgs({
  options: {
    help: { type: 'boolean' },
    data: { type: 'string' },
    'models-dir': { type: 'string' },
    requests: { type: 'string' },
    'requests-c1': { type: 'string' },
    'train-epochs': { type: 'string' },
    'forward-reps': { type: 'string' },
  },
});
if (values.help) {
  process.stdout.write(
    'Recommendation serving benchmark.\nusage: npm run bench:rec -- [flags]\n\n' +
      '  --data <file>          user item sequences (default ../shared/datasets/sequences/sasrec_games.txt)\n' +
      '  --models-dir <dir>     model registry holding sasrec/<version> (default MODELS_DIR, else .data/models);\n' +
      '                         without a SASRec version there, a short one is trained first into a temp registry\n' +
      '  --requests N           requests per run at concurrency 64 (default 2000)\n' +
      '  --requests-c1 N        requests per run at concurrency 1 (default 300)\n' +
      '  --train-epochs N       epochs of the fallback training (default 2)\n' +
      '  --forward-reps N       timed forward passes per round (5 rounds) and batch size (default 20)\n',
  );
  process.exit(0);
}
const DATA = values.data ?? join(REPO_ROOT, '..', 'shared', 'datasets', 'sequences', 'sasrec_games.txt');
const REQUESTS = Number(values.requests ?? 2000);
const REQUESTS_C1 = Number(values['requests-c1'] ?? 300);
const TRAIN_EPOCHS = Number(values['train-epochs'] ?? 2);
const FORWARD_REPS = Number(values['forward-reps'] ?? 20);
if (!existsSync(DATA)) {
  process.stderr.write(`bench:rec: dataset not found at ${DATA} (pass --data <user item file>)\n`);
  process.exit(2);
}

/** The registry to serve from: the given one when it holds a SASRec version, else a short training run. */
async function modelRegistry(): Promise<{ dir: string; how: string; cleanup: () => void }> {
  const given = values['models-dir'] ?? process.env.MODELS_DIR ?? join(REPO_ROOT, '.data', 'models');
  const found = await latestVersion(given, SASREC_MODEL_NAME);
  if (found) {
    return {
      dir: given,
      how: `registry ${given}, version ${found.version} (trained ${found.metrics.trainedAt})`,
      cleanup: () => {},
    };
  }
  progress(`no SASRec model in ${given}: training one for ${TRAIN_EPOCHS} epoch(s) (sampled softmax)`);
  const dir = mkdtempSync(join(tmpdir(), 'rec-bench-models-'));
  const data = await readSequences(DATA);
  const itemIds = buildVocabulary(data.sequences);
  const split = leaveOneOut(data.sequences, itemIds);
  const evalSet = evaluationSet(split, { maxUsers: 2_000 });
  const result = await trainSasRec(itemIds, split, evalSet, {
    config: { maxLen: 50, hidden: 50, blocks: 2, heads: 1, dropout: 0.2 },
    loss: 'sampled',
    epochs: TRAIN_EPOCHS,
    evalEvery: TRAIN_EPOCHS,
    patience: 0,
    lr: 0.001,
    batchSize: 128,
    negatives: 256,
    weightDecay: 0,
    seed: 1,
    onProgress: (p) => {
      if (p.batch === p.batches) progress(`  epoch ${p.epoch}/${p.epochs}: loss ${p.loss.toFixed(4)}`);
    },
  });
  const version = await saveVersion(dir, SASREC_MODEL_NAME, async (d) => {
    await result.model.save(d);
    return { valid: result.best, epochs: result.epochsRun, source: 'bench:rec short training' };
  });
  result.model.dispose();
  return {
    dir,
    how: `trained here for ${TRAIN_EPOCHS} epoch(s) (valid NDCG@10 ${result.best.ndcg10.toFixed(3)}), version ${version.version}`,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function startRec(
  uri: string,
  dbName: string,
  modelsDir: string,
  maxBatch: number,
): Promise<RunningSubgraph<RecommendationRuntime>> {
  const config = loadConfig(
    'recommendation',
    {
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      PORT: '0',
      MONGODB_URI: uri,
      MONGODB_DB: dbName,
      MODELS_DIR: modelsDir,
      REC_MAX_BATCH: String(maxBatch),
      // No periodic re-read of the catalogue during the runs (nothing changes it here).
      REC_REFRESH_MS: String(3_600_000),
      ...(process.env.TFJS_BACKEND ? { TFJS_BACKEND: process.env.TFJS_BACKEND } : {}),
    },
    recommendationSubgraph.config,
  );
  return startSubgraph(recommendationSubgraph, config, {
    logger: stderrLogger(`recommendation-${maxBatch}`),
    busDbName: `${dbName}_bus_${maxBatch}`,
  });
}

/** The floor: the same HTTP request and `_entities` resolution of a User, nothing ranked. */
const EMPTY_QUERY = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id } } }';

/**
 * Time inside the service (the HTTP server's request event to the end of its response), from Node's
 * diagnostics channels: what the client sees on top of it waited in the socket buffers for the busy
 * event loop to read the request, or in the client.
 */
const serverMs: number[] = [];
const started = new WeakMap<object, number>();
subscribe('http.server.request.start', (m) => {
  started.set((m as { response: object }).response, performance.now());
});
subscribe('http.server.response.finish', (m) => {
  const t = started.get((m as { response: object }).response);
  if (t !== undefined) serverMs.push(performance.now() - t);
});

/** One run of the load generator (a child process, see load.ts) against `url`. */
async function measure(url: string, users: string[], concurrency: number, query?: string) {
  serverMs.length = 0;
  const cpu0 = process.cpuUsage();
  const child = fork(fileURLToPath(new URL('./load.js', import.meta.url)));
  child.send({ url, users, concurrency, ...(query ? { query } : {}) } satisfies LoadJob);
  const [result] = (await once(child, 'message')) as [LoadResult];
  const cpu = process.cpuUsage(cpu0);
  return {
    requests: users.length,
    concurrency,
    usersPerSecond: round(users.length / result.seconds, 1),
    ...latencySummary(result.latencies),
    server: latencySummary(serverMs),
    // The service's CPU per request (this process serves; the load generator is another process).
    serviceCpuMs: round((cpu.user + cpu.system) / 1000 / users.length, 2),
    clientLag: { p99: round(result.clientDelay.p99), max: round(result.clientDelay.max) },
    errors: result.errors,
    sources: result.sources,
  };
}

/**
 * Wall-clock and CPU ms per call: the best of 5 rounds of `reps` calls each, so rounds in which other
 * work on the shared machine preempted this process do not count. The forward pass and the matMuls run
 * on this one thread (wasm without threads), so CPU time is their cost even when the machine is busy.
 */
async function timeAsync(reps: number, f: () => Promise<void>): Promise<{ ms: number; cpuMs: number }> {
  await f();
  await f();
  let ms = Number.POSITIVE_INFINITY;
  let cpuMs = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let i = 0; i < reps; i++) await f();
    const c = process.cpuUsage(c0);
    ms = Math.min(ms, (performance.now() - t0) / reps);
    cpuMs = Math.min(cpuMs, (c.user + c.system) / 1000 / reps);
  }
  return { ms, cpuMs };
}

async function forwardThroughput(modelsDir: string, histories: string[][]) {
  const version = (await latestVersion(modelsDir, SASREC_MODEL_NAME))!;
  const model = await SasRecModel.load(version.dir);
  const rows: Record<string, unknown>[] = [];
  try {
    // As served: SasRecModel.recommend (one forward pass per group of similar history length, the last
    // block for the last position only, one scoring matMul against the item table transposed once).
    for (const batch of [1, 64, 128]) {
      const hs = histories.slice(0, batch);
      const lengths = hs.map((h) => model.encodeHistory(h).length);
      const groups = groupByLength(lengths, model.config.maxLen);
      const flops = groups.reduce(
        (sum, g) => sum + model.forwardFlops(g.length, Math.max(1, ...g.map((i) => lengths[i]!))),
        0,
      );
      const { ms, cpuMs } = await timeAsync(FORWARD_REPS, async () => {
        await model.recommend(hs);
      });
      rows.push({
        what: `served forward, batch ${batch} (${groups.length} length group${groups.length > 1 ? 's' : ''})`,
        ms: round(ms, 2),
        cpuMs: round(cpuMs, 2),
        gflops: round(flops / 1e9, 3),
        gflopsPerSecond: round(flops / 1e9 / (ms / 1000), 2),
        gflopsPerCpuSecond: round(flops / 1e9 / (cpuMs / 1000), 2),
      });
    }
    const d = model.config.hidden;
    const items = model.itemIds.length;
    for (const [m, k, n, label] of [
      [512, 512, 512, '2-D matMul 512 x 512 x 512'],
      [128, d, items, `2-D matMul 128 x ${d} x ${items} (the scoring shape)`],
    ] as const) {
      const a = tf.randomNormal([m, k]);
      const b = tf.randomNormal([k, n]);
      const { ms, cpuMs } = await timeAsync(FORWARD_REPS, async () => {
        const c = tf.matMul(a, b);
        await c.data();
        c.dispose();
      });
      a.dispose();
      b.dispose();
      const flops = 2 * m * k * n;
      rows.push({
        what: label,
        ms: round(ms, 2),
        cpuMs: round(cpuMs, 2),
        gflops: round(flops / 1e9, 3),
        gflopsPerSecond: round(flops / 1e9 / (ms / 1000), 2),
        gflopsPerCpuSecond: round(flops / 1e9 / (cpuMs / 1000), 2),
      });
    }
  } finally {
    model.dispose();
  }
  return rows;
}

const loadAtStart = loadavg()[0]!;
const backend = await selectBackend({ force: process.env.TFJS_BACKEND });
progress(`TensorFlow.js backend: ${backend.backend} (${backend.device}, ${backend.provider})`);
const registry = await modelRegistry();
progress(`model: ${registry.how}`);
const db = await startDatabase();
const dbName = `bench_rec_${Date.now().toString(36)}`;
const batched = await startRec(db.uri, dbName, registry.dir, 128);
const unbatched = await startRec(db.uri, dbName, registry.dir, 1);
try {
  const { importSequences, readSequenceFile } = await importFromRepo<
    typeof import('../../subgraphs/recommendation/dist/sequences/importSequences.js')
  >('subgraphs/recommendation/dist/sequences/importSequences.js');
  const t0 = performance.now();
  let last = 0;
  const imported = await importSequences(batched.runtime, DATA, {
    titlePrefix: 'Games item',
    category: 'games',
    onProgress: (p) => {
      if (performance.now() - last > 10_000 || p.done === p.total) {
        last = performance.now();
        progress(`  import ${p.phase}: ${fmt(p.done)} / ${fmt(p.total)}`);
      }
    },
  });
  const importSeconds = (performance.now() - t0) / 1000;
  progress(
    `imported ${fmt(imported.users)} users, ${fmt(imported.items)} items in ${fmt(importSeconds, 1)} s`,
  );
  await Promise.all([batched.runtime.reloadState(), unbatched.runtime.reloadState()]);
  for (const sg of [batched, unbatched]) {
    const until = Date.now() + 60_000;
    while (!sg.runtime.holder.current && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    if (!sg.runtime.holder.current) throw new Error('the model was not loaded within 60 s');
  }

  // Distinct users per run (a user's ranking is cached for the next pages), in a fixed shuffled order.
  const { sequences } = await readSequenceFile(DATA);
  const users = [...sequences.keys()];
  let x = 12345;
  for (let i = users.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const j = x % (i + 1);
    [users[i], users[j]] = [users[j]!, users[i]!];
  }
  let next = 0;
  const take = (n: number) => {
    const out = users.slice(next, next + n);
    next += n;
    return out;
  };
  const runs: Record<string, unknown>[] = [];
  for (const [name, sg] of [
    ['micro-batcher on (max 128, 3 ms)', batched],
    ['micro-batcher off (max 1)', unbatched],
  ] as const) {
    await measure(sg.url, take(64), 16); // warm-up
    for (const [concurrency, n] of [
      [1, REQUESTS_C1],
      [64, REQUESTS],
    ] as const) {
      progress(`${name}: ${n} requests at concurrency ${concurrency}`);
      runs.push({ mode: name, ...(await measure(sg.url, take(n), concurrency)) });
    }
  }
  // The fixed cost of a request (HTTP, Apollo, `_entities`), measured on the same service and load.
  progress(`floor: ${REQUESTS} requests at concurrency 64 of _entities { id } (nothing ranked)`);
  const floor = {
    mode: 'floor: _entities { id }, nothing ranked',
    ...(await measure(batched.url, users.slice(0, REQUESTS), 64, EMPTY_QUERY)),
  };
  runs.push(floor);
  progress('forward pass and matMul throughput');
  const histories = users.slice(0, 128).map((u) => sequences.get(u)!);
  const forward = await forwardThroughput(registry.dir, histories);

  const on64 = runs.find((r) => r.concurrency === 64 && String(r.mode).startsWith('micro-batcher on'))!;
  const off64 = runs.find((r) => r.concurrency === 64 && String(r.mode).startsWith('micro-batcher off'))!;
  const speedup = (on64.usersPerSecond as number) / (off64.usersPerSecond as number);
  // The model's share alone: users per second of back-to-back forward passes at batch 1 and 64.
  const servedMs = (prefix: string, batch: number) =>
    forward.find((f) => String(f.what).startsWith(prefix) && String(f.what).includes(`batch ${batch} `))!
      .cpuMs as number;
  const forwardUsers = {
    batch1: round(1000 / servedMs('served forward', 1), 1),
    batch64: round(64_000 / servedMs('served forward', 64), 1),
  };
  process.stdout.write(
    `\nRecommendation serving: User.recommendations(first: 10) through the subgraph (HTTP, _entities)\n` +
      `dataset ${DATA} (${fmt(imported.users)} users, ${fmt(imported.items)} items); model: ${registry.how}\n` +
      `backend ${backend.backend} (${backend.device}); database ${db.kind}; NODE_ENV ${process.env.NODE_ENV ?? 'unset'} (production as deployed: graphql-js skips its development checks); ` +
      `load average ${loadAtStart.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at the end (${cpus().length} cores)\n\n` +
      table(
        [
          'mode',
          'concurrency',
          'requests',
          'users/s',
          'p50 ms',
          'p99 ms',
          'in service p50 / p99',
          'service CPU ms/req',
          'client lag p99',
          'errors',
          'sources',
        ],
        runs.map((r) => [
          String(r.mode),
          String(r.concurrency),
          String(r.requests),
          fmt(r.usersPerSecond as number, 1),
          fmt(r.p50 as number, 1),
          fmt(r.p99 as number, 1),
          `${fmt((r.server as { p50: number }).p50, 1)} / ${fmt((r.server as { p99: number }).p99, 1)}`,
          fmt(r.serviceCpuMs as number, 2),
          fmt((r.clientLag as { p99: number }).p99, 1),
          String(r.errors),
          JSON.stringify(r.sources),
        ]),
      ) +
      `\n\nbatching speed-up at concurrency 64: ${speedup.toFixed(2)}x (target >= 5x: ${speedup >= 5 ? 'met' : 'missed'}); ` +
      `p99 at concurrency 64 with the micro-batcher: ${fmt(on64.p99 as number, 1)} ms (target < 100 ms: ${(on64.p99 as number) < 100 ? 'met' : 'missed'})\n` +
      `fixed cost of a request (HTTP, Apollo, _entities; nothing ranked) at concurrency 64: ${fmt(floor.usersPerSecond, 1)} requests/s, ` +
      `${fmt(1000 / floor.usersPerSecond, 2)} ms each; the micro-batcher on takes ${fmt(1000 / (on64.usersPerSecond as number), 2)} ms a user, off ${fmt(1000 / (off64.usersPerSecond as number), 2)} ms\n\n` +
      table(
        ['forward pass / reference', 'ms', 'CPU ms', 'GFLOP', 'GFLOP/s', 'GFLOP/CPU s'],
        forward.map((f) => [
          String(f.what),
          fmt(f.ms as number, 2),
          fmt(f.cpuMs as number, 2),
          fmt(f.gflops as number, 3),
          fmt(f.gflopsPerSecond as number, 2),
          fmt(f.gflopsPerCpuSecond as number, 2),
        ]),
      ) +
      `\n(ms: best of 5 rounds; CPU ms: this thread's CPU time, what the shared machine's preemption does not inflate)\n` +
      `forward pass alone, by CPU time: ${fmt(forwardUsers.batch1, 1)} users/s at batch 1, ${fmt(forwardUsers.batch64, 1)} users/s at batch 64 grouped by length ` +
      `(${(forwardUsers.batch64 / forwardUsers.batch1).toFixed(1)}x)\n` +
      `service CPU per request at concurrency 64: on ${fmt(on64.serviceCpuMs as number, 2)} ms, off ${fmt(off64.serviceCpuMs as number, 2)} ms ` +
      `(${((off64.serviceCpuMs as number) / (on64.serviceCpuMs as number)).toFixed(2)}x), nothing ranked ${fmt(floor.serviceCpuMs, 2)} ms\n`,
  );
  const path = writeResults('recommendation-serve.json', {
    at: new Date().toISOString(),
    dataset: DATA,
    model: registry.how,
    backend: { backend: backend.backend, device: backend.device, provider: backend.provider },
    database: db.kind,
    loadAverage: { start: round(loadAtStart, 2), end: round(loadavg()[0]!, 2), cores: cpus().length },
    import: { ...imported, seconds: round(importSeconds, 1) },
    runs,
    batchingSpeedupAt64: round(speedup, 2),
    forwardOnlyUsersPerSecond: forwardUsers,
    forward,
  });
  progress(`results in ${path}`);
} finally {
  await batched.stop();
  await unbatched.stop();
  await db.stop();
  registry.cleanup();
}
