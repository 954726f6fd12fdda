/**
 * Ingestion through the gateway (`recordAttention`) against the raw driver's `insertMany` of the same
 * documents into a collection of the same database, batch for batch, at the same concurrency; then a
 * loss check (stored events and the ITEM totals equal the accepted count).
 *
 *   npm run bench:attention-ingest -- [--batches 40] [--batch-size 500] [--concurrency 4] [--help]
 */
import { cpus, loadavg } from 'node:os';
import type { AttentionEventDoc } from '../../subgraphs/attention/dist/models/index.js';
import {
  CommandMonitor,
  type CpuSample,
  cpuMeter,
  fmt,
  gatewayHeaders,
  importFromRepo,
  latencySummary,
  numericArgs,
  percentile,
  pool,
  progress,
  round,
  startDatabase,
  startMesh,
  table,
  worldEvents,
  writeResults,
} from './common.js';

const args = numericArgs(
  'Attention ingestion benchmark: the mesh (gateway -> attention subgraph) against raw insertMany.\n' +
    'usage: npm run bench:attention-ingest -- [flags]',
  {
    users: 2_000,
    items: 500,
    categories: 10,
    batches: 40,
    batchSize: 500,
    concurrency: 4,
    warmup: 1,
    hours: 6,
    seed: 42,
  },
  {
    users: 'distinct users',
    items: 'distinct items',
    categories: 'item categories (at most 12)',
    batches: 'measured batches per path',
    batchSize: 'events per batch (the subgraph accepts at most ATTENTION_MAX_BATCH, 1,000)',
    concurrency: 'batches in flight',
    warmup: 'unmeasured batches sent first on each path (counted in the loss check)',
    hours: 'events occur within the last N hours',
    seed: 'PRNG seed',
  },
);

const RAW_COLLECTION = 'bench_raw_events';
const MUTATION = `mutation Record($events: [AttentionEventInput!]!) {
  recordAttention(events: $events) { accepted duplicates dropped rejected { index code message } }
}`;

interface RecordResult {
  accepted: number;
  duplicates: number;
  dropped: number;
  rejected: { index: number; code: string; message: string }[];
}

interface PhaseResult {
  events: number;
  eventsPerSecond: number;
  batchMs: ReturnType<typeof latencySummary>;
  /** Median batch latency of the first and the last quarter of the batches (in sending order). */
  firstQuarterP50: number;
  lastQuarterP50: number;
  cpu: CpuSample;
}

async function timedBatches(
  batches: number,
  concurrency: number,
  dbPid: number | undefined,
  send: (i: number) => Promise<number>,
): Promise<PhaseResult> {
  const latencies: number[] = [];
  let events = 0;
  let done = 0;
  const meter = cpuMeter(dbPid);
  await pool(batches, concurrency, async (i) => {
    const t0 = performance.now();
    const n = await send(i);
    events += n;
    latencies[i] = performance.now() - t0;
    if (++done % 10 === 0 || done === batches) progress(`  ${done}/${batches} batches`);
  });
  const cpu = meter();
  const quarter = Math.max(1, Math.floor(batches / 4));
  return {
    events,
    eventsPerSecond: round(events / (cpu.wallMs / 1000)),
    batchMs: latencySummary(latencies),
    firstQuarterP50: round(percentile(latencies.slice(0, quarter), 50)),
    lastQuarterP50: round(percentile(latencies.slice(-quarter), 50)),
    cpu,
  };
}

async function main() {
  const loadAtStart = loadavg()[0]!;
  const perPath = args.warmup + args.batches;
  const total = perPath * args.batchSize;
  const now = Date.now();
  progress(
    `generating ${fmt(total)} events (${args.users} users, ${args.items} items, ${args.categories} categories)`,
  );
  // The same events on both paths: the raw path stores them in a collection of its own.
  const events = [
    ...worldEvents({
      users: args.users,
      items: args.items,
      categories: args.categories,
      seed: args.seed,
      events: total,
      from: now - args.hours * 3_600_000,
      to: now - 15 * 60_000,
    }),
  ];
  const batches = Array.from({ length: perPath }, (_, i) =>
    events.slice(i * args.batchSize, (i + 1) * args.batchSize),
  );

  const db = await startDatabase();
  const mesh = await startMesh(db, []);
  const models = mesh.attention.runtime;
  const monitor = new CommandMonitor(mesh.attention.connection);
  const busMonitor = new CommandMonitor(mesh.bus.connection);
  try {
    const { toDoc } = await importFromRepo<
      typeof import('../../subgraphs/attention/dist/ingest/recordAttention.js')
    >('subgraphs/attention/dist/ingest/recordAttention.js');

    // --- raw driver insertMany: the same stored shape, the same indexes as attention_events
    const raw = mesh.attention.connection.db!.collection<AttentionEventDoc>(RAW_COLLECTION);
    await raw.createIndex({ clientId: 1 }, { unique: true });
    await raw.createIndex({ userId: 1, occurredAt: -1 });
    const rawDocs = batches.map((b) => b.map((e) => toDoc(e, now)));
    const insertRaw = async (i: number) => {
      const docs = rawDocs[i]!;
      await raw.insertMany(docs, { ordered: false });
      return docs.length;
    };
    progress(`raw insertMany: ${args.warmup} warm-up + ${args.batches} batches of ${args.batchSize}`);
    await timedBatches(args.warmup, args.concurrency, db.pid, insertRaw);
    const rawResult = await timedBatches(args.batches, args.concurrency, db.pid, (i) =>
      insertRaw(args.warmup + i),
    );

    // --- the mesh: gateway -> attention subgraph -> validation, consent, insert, views, rollups
    const payloads = batches.map((b) =>
      b.map((e) => ({ ...e, occurredAt: new Date(e.occurredAt).toISOString() })),
    );
    const sums = { accepted: 0, duplicates: 0, dropped: 0, rejected: 0 };
    const rejections = new Map<string, number>();
    const record = async (i: number) => {
      const res = await gqlRecord(mesh.gateway.url, payloads[i]!);
      sums.accepted += res.accepted;
      sums.duplicates += res.duplicates;
      sums.dropped += res.dropped;
      sums.rejected += res.rejected.length;
      for (const r of res.rejected) rejections.set(r.code, (rejections.get(r.code) ?? 0) + 1);
      return res.accepted;
    };
    progress(`mesh recordAttention: ${args.warmup} warm-up + ${args.batches} batches of ${args.batchSize}`);
    await timedBatches(args.warmup, args.concurrency, db.pid, record);
    await models.projection.idle();
    models.projection.writeStats(true);
    monitor.reset();
    busMonitor.reset();
    const acked = await timedBatches(args.batches, args.concurrency, db.pid, (i) => record(args.warmup + i));
    // The derived data (views, rollups, totals, profiles) is written behind the stored events: the
    // sustained rate counts until the last of it is stored.
    const catchUpStart = performance.now();
    await models.projection.idle();
    const catchUpMs = performance.now() - catchUpStart;
    const { flushes, ...writes } = models.projection.writeStats();
    const meshResult: PhaseResult = {
      ...acked,
      eventsPerSecond: round(acked.events / ((acked.cpu.wallMs + catchUpMs) / 1000)),
    };
    const commands = monitor.snapshot();
    const busCommands = busMonitor.snapshot();

    // --- what the database does with nothing sent (the event bus consumers' polls), and what one
    // write by _id costs on each collection against one find by _id, at the sizes reached
    progress('idle database CPU (5 s) and write-by-_id probes');
    const idle = cpuMeter(db.pid);
    busMonitor.reset();
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const idleCpu = idle();
    const idleBusCommands = busMonitor.snapshot();
    const busEvents = await mesh.bus.connection.db!.collection('events').estimatedDocumentCount();
    const probes: Record<string, { docs: number; updateMs: number; findOneMs: number }> = {};
    for (const name of ['attention_views', 'attention_rollups', 'attention_totals', 'attention_events']) {
      const collection = mesh.attention.connection.db!.collection<{ _id: string }>(name);
      const docs = await collection.estimatedDocumentCount();
      const timeOf = async (f: () => PromiseLike<unknown>) => {
        const ms: number[] = [];
        for (let i = 0; i < 5; i++) {
          const t0 = performance.now();
          await f();
          ms.push(performance.now() - t0);
        }
        return round(percentile(ms, 50));
      };
      // A no-op: no document has this id, nothing is written.
      const updateMs = await timeOf(() =>
        collection.updateOne({ _id: '~bench-probe' }, { $set: { probe: 1 } }),
      );
      const findOneMs = await timeOf(() => collection.findOne({ _id: '~bench-probe' }));
      probes[name] = { docs, updateMs, findOneMs };
    }

    // --- loss check
    progress('checking for losses');
    const sent = events.length;
    const sentWithUser = events.filter((e) => e.userId).length;
    const stored = await models.AttentionEvent.countDocuments({});
    const totals = await models.AttentionTotal.find({}, { events: 1 }).lean<
      { _id: string; events?: number }[]
    >();
    const sumOf = (prefix: string) =>
      totals.filter((t) => t._id.startsWith(prefix)).reduce((a, t) => a + (t.events ?? 0), 0);
    const itemEvents = sumOf('ITEM|');
    const userEvents = sumOf('USER|');
    const allRollups = await models.AttentionRollup.find({ dim: 'ALL' }, { events: 1 }).lean<
      { events?: number }[]
    >();
    const rollupEvents = allRollups.reduce((a, r) => a + (r.events ?? 0), 0);
    const rawStored = await raw.countDocuments({});
    const sizes = {
      attention_events: stored,
      attention_views: await models.AttentionView.countDocuments({}),
      attention_rollups: await models.AttentionRollup.countDocuments({}),
      attention_totals: totals.length,
      attention_profiles: await models.AttentionProfile.countDocuments({}),
      attention_sessions: await models.AttentionSession.countDocuments({}),
      [RAW_COLLECTION]: rawStored,
    };
    const loss = {
      sent,
      accepted: sums.accepted,
      duplicates: sums.duplicates,
      dropped: sums.dropped,
      rejected: sums.rejected,
      rejectionCodes: Object.fromEntries(rejections),
      storedEvents: stored,
      itemTotalsEvents: itemEvents,
      allRollupsEvents: rollupEvents,
      userTotalsEvents: userEvents,
      sentWithUser,
      rawSent: events.length,
      rawStored,
    };
    const ok =
      sums.accepted === sent &&
      stored === sums.accepted &&
      itemEvents === sums.accepted &&
      rollupEvents === sums.accepted &&
      userEvents === sentWithUser &&
      rawStored === events.length;

    // --- report
    const ratio = meshResult.eventsPerSecond / rawResult.eventsPerSecond;
    const cpuCell = (c: CpuSample) =>
      `${fmt(c.nodeCpuMs / 1000, 1)} / ${c.dbCpuMs === null ? '-' : fmt(c.dbCpuMs / 1000, 1)}`;
    const row = (name: string, r: PhaseResult) => [
      name,
      fmt(r.events),
      fmt(r.eventsPerSecond),
      fmt(r.batchMs.p50),
      fmt(r.batchMs.p99),
      fmt(r.cpu.wallMs / 1000, 1),
      cpuCell(r.cpu),
    ];
    const out: string[] = [];
    out.push(
      `\nAttention ingestion — ${args.batches} measured batches of ${args.batchSize} events per path, ` +
        `${args.concurrency} in flight (+${args.warmup} warm-up), ${db.kind}, ${args.users} users, ${args.items} items; ` +
        `load average ${loadAtStart.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at the end (${cpus().length} cores)\n`,
    );
    out.push(
      table(
        ['path', 'events', 'events/s', 'p50 ms/batch', 'p99 ms/batch', 'wall s', 'CPU s node / db'],
        [
          row('mesh: gateway recordAttention, until answered', acked),
          row('mesh: ... until the derived data is stored', meshResult),
          row('raw driver insertMany (same docs, same indexes)', rawResult),
        ],
      ),
    );
    out.push(
      `\nratio mesh (until derived data stored) / raw: ${fmt(ratio * 100, 1)} % (target >= 50 %: ${ratio >= 0.5 ? 'met' : 'MISSED'}); ` +
        `until answered: ${fmt((acked.eventsPerSecond / rawResult.eventsPerSecond) * 100, 1)} %; ` +
        `derived data caught up ${fmt(catchUpMs)} ms after the last answer`,
    );
    out.push(
      `loss check: ${ok ? 'OK' : 'FAILED'} — sent ${fmt(sent)}, accepted ${fmt(sums.accepted)} ` +
        `(duplicates ${sums.duplicates}, dropped ${sums.dropped}, rejected ${sums.rejected}), ` +
        `stored ${fmt(stored)}, ITEM totals ${fmt(itemEvents)}, ALL rollups ${fmt(rollupEvents)}, ` +
        `USER totals ${fmt(userEvents)} of ${fmt(sentWithUser)} signed-in; raw stored ${fmt(rawStored)} of ${fmt(events.length)}`,
    );
    out.push(
      `batch latency p50, first quarter -> last quarter of the batches: mesh ${fmt(meshResult.firstQuarterP50)} -> ` +
        `${fmt(meshResult.lastQuarterP50)} ms, raw ${fmt(rawResult.firstQuarterP50)} -> ${fmt(rawResult.lastQuarterP50)} ms`,
    );
    const busLine = (c: Record<string, { count: number; ms: number }>, seconds: number) =>
      Object.entries(c)
        .map(([k, v]) => `${k} ${fmt(v.count / seconds, 1)}/s (${fmt(v.ms / seconds)} ms/s)`)
        .join(', ');
    out.push(
      `event bus (${fmt(busEvents)} events stored): during the mesh run ${busLine(busCommands, meshResult.cpu.wallMs / 1000)}; ` +
        `idle for 5 s afterwards: database CPU ${idleCpu.dbCpuMs === null ? '-' : fmt(idleCpu.dbCpuMs / idleCpu.wallMs, 2)} cores, ` +
        busLine(idleBusCommands, idleCpu.wallMs / 1000),
    );
    out.push(
      `collections: ${Object.entries(sizes)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(', ')}`,
    );
    out.push(
      `\nattention subgraph database commands during the ${args.batches} measured mesh batches ` +
        '(driver-side ms, summed over concurrent requests):\n',
    );
    out.push(
      table(
        ['command collection', 'count', 'per batch', 'ops', 'ops/batch', 'sum ms', 'ms/batch', 'ms/op'],
        Object.entries(commands).map(([k, s]) => [
          k,
          fmt(s.count),
          fmt(s.count / args.batches, 1),
          fmt(s.ops),
          fmt(s.ops / args.batches, 1),
          fmt(s.ms),
          fmt(s.ms / args.batches, 1),
          s.ops ? fmt(s.ms / s.ops, 2) : '-',
        ]),
      ),
    );
    out.push(
      `\nthe projection's writes of the derived data during the measured mesh batches (${fmt(flushes)} flushes; ` +
        'inserted: created by one multi-row insert per write; upserted: one statement each):\n',
    );
    out.push(
      table(
        ['collection', 'writes', 'inserted', 'upserted', 'upserted/write', 'sum ms', 'ms/write'],
        Object.entries(writes).map(([k, w]) => [
          k,
          fmt(w.writes),
          fmt(w.inserted),
          fmt(w.upserted),
          w.writes ? fmt(w.upserted / w.writes, 1) : '-',
          fmt(w.ms),
          w.writes ? fmt(w.ms / w.writes, 1) : '-',
        ]),
      ),
    );
    out.push(
      '\none update by _id against one find by _id, of an id that is not stored (so no write, and nothing ' +
        'found early), at the sizes reached:\n',
    );
    out.push(
      table(
        ['collection', 'docs', 'updateOne {_id} ms', 'findOne {_id} ms'],
        Object.entries(probes).map(([k, p]) => [k, fmt(p.docs), fmt(p.updateMs, 1), fmt(p.findOneMs, 1)]),
      ),
    );
    process.stdout.write(`${out.join('\n')}\n`);
    const path = writeResults('attention-ingest.json', {
      benchmark: 'attention-ingest',
      at: new Date().toISOString(),
      database: db.kind,
      args,
      loadAverage: { start: loadAtStart, end: loadavg()[0] },
      mesh: meshResult,
      meshUntilAnswered: acked,
      derivedCatchUpMs: round(catchUpMs),
      raw: rawResult,
      ratio: round(ratio, 4),
      targetRatio: 0.5,
      targetMet: ratio >= 0.5,
      loss: { ok, ...loss },
      collections: sizes,
      meshCommands: commands,
      projectionFlushes: flushes,
      projectionWrites: writes,
      busEvents,
      busCommands,
      idleBusCommands,
      idleDbCores: idleCpu.dbCpuMs === null ? null : round(idleCpu.dbCpuMs / idleCpu.wallMs, 3),
      writeProbes: probes,
    });
    progress(`results written to ${path}`);
    if (!ok) process.exitCode = 1;
  } finally {
    // Work a timed-out query left in the mesh can hold the shutdown: never outlive it by long.
    setTimeout(() => {
      progress('shutdown still waiting after 30 s: exiting');
      process.exit(process.exitCode ?? 0);
    }, 30_000).unref();
    monitor.stop();
    busMonitor.stop();
    await mesh.stop();
    await db.stop();
  }
}

/** The events of many users: recorded as an admin. */
const adminHeaders = await gatewayHeaders();

async function gqlRecord(url: string, events: unknown[]): Promise<RecordResult> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...adminHeaders },
    body: JSON.stringify({ query: MUTATION, variables: { events } }),
  });
  const body = (await res.json()) as {
    data?: { recordAttention: RecordResult } | null;
    errors?: { message: string }[];
  };
  if (body.errors?.length || !body.data) {
    throw new Error(`recordAttention failed (HTTP ${res.status}): ${JSON.stringify(body.errors)}`);
  }
  return body.data.recordAttention;
}

await main();
