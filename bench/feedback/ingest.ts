/**
 * Feedback ingestion through the gateway with the loop running: `submitFeedbackBatch` batches (as an
 * SDK's server side would send them: an admin key, many users) at a fixed concurrency into the mesh of
 * five subgraphs in child processes on one bus, whose consumers of `feedback.received` (ads, and any
 * other subscribed) run meanwhile; then a wait until every consumer has drained the bus, and a loss
 * check: every accepted signal stored once, summed once in the summaries, announced once, and counted
 * once by the ads subgraph (complaints about ads). Side by side with a raw `insertMany` of the same
 * documents (the subgraph's `toFeedbackDoc`) into a scratch collection of the same database, at the same
 * batch size and concurrency. Progress on stderr, the table on stdout, bench/results/feedback-ingest.json.
 */
import { loadavg } from 'node:os';
import { demoWorld } from '@attention-mesh/mesh';
import { DEFAULT_BUS_DB } from '@attention-mesh/platform';
import { numericArgs } from '../shared/args.js';
import { latencySummary } from '../shared/latency.js';
import { fmt, progress, round, table } from '../shared/output.js';
import { importFromRepo, writeResults } from '../shared/repo.js';
import { cpuSecondsOf, dbOf, post, startBenchMesh } from './common.js';

const args = numericArgs(
  'npm run bench:feedback-ingest -- [flags]\n\n' +
    'submitFeedbackBatch through the gateway with the loop running, against a raw insertMany of the same documents.',
  { batches: 40, size: 250, concurrency: 4, users: 500, drainSeconds: 300 },
  {
    batches: 'batches sent',
    size: 'signals per batch (at most 500)',
    concurrency: 'batches in flight',
    users: 'users the signals belong to',
    drainSeconds: 'longest wait for the consumers to drain',
  },
);

const { toFeedbackDoc } = await importFromRepo<
  typeof import('../../subgraphs/feedback/dist/ingest/feedbackDoc.js')
>('subgraphs/feedback/dist/ingest/feedbackDoc.js');
const world = demoWorld();
const items = world.items.map((i) => i.id as string);
const ads = world.ads.map((a) => a.id as string);
const REASONS = ['SPAM', 'OFFENSIVE', 'MISLEADING', 'IRRELEVANT', 'REPETITIVE', 'OTHER'];

interface Signal {
  clientId: string;
  userId: string;
  target: { type: 'ITEM' | 'AD'; id: string };
  kind: string;
  rating?: number;
  dwellMs?: number;
  reason?: string;
}
/** Deterministic signals: mostly item clicks, dwell, likes and ratings, some hides, complaints about ads. */
function signal(n: number): Signal {
  const userId = `usr-ing-${n % args.users}`;
  const r = n % 20;
  if (r === 0)
    return {
      clientId: `ing-${n}`,
      userId,
      target: { type: 'AD', id: ads[n % ads.length]! },
      kind: 'COMPLAINT',
      reason: REASONS[n % 6]!,
    };
  if (r === 1)
    return { clientId: `ing-${n}`, userId, target: { type: 'AD', id: ads[n % ads.length]! }, kind: 'CLICK' };
  const target = { type: 'ITEM' as const, id: items[n % items.length]! };
  if (r < 8) return { clientId: `ing-${n}`, userId, target, kind: 'CLICK' };
  if (r < 13) return { clientId: `ing-${n}`, userId, target, kind: 'DWELL', dwellMs: 1000 + (n % 90_000) };
  if (r < 16) return { clientId: `ing-${n}`, userId, target, kind: 'LIKE' };
  if (r < 18) return { clientId: `ing-${n}`, userId, target, kind: 'RATING', rating: 1 + (n % 5) };
  if (r < 19) return { clientId: `ing-${n}`, userId, target, kind: 'HIDE' };
  return { clientId: `ing-${n}`, userId, target, kind: 'DISLIKE' };
}

const BATCH = `mutation($inputs: [SubmitFeedbackInput!]!) { submitFeedbackBatch(inputs: $inputs) { accepted duplicates rejected { index } } }`;
type BatchOut = { submitFeedbackBatch: { accepted: number; duplicates: number; rejected: unknown[] } };
const COUNTERS = [
  'clicks',
  'likes',
  'dislikes',
  'hides',
  'complaints',
  'conversions',
  'ratingCount',
  'dwellCount',
];

/** Runs `work(i)` for i < n with `concurrency` in flight; the latency of each. */
async function pool(n: number, concurrency: number, work: (i: number) => Promise<void>) {
  const ms: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < n; i = next++) {
        const t0 = performance.now();
        await work(i);
        ms.push(performance.now() - t0);
      }
    }),
  );
  return ms;
}

async function main() {
  if (args.size < 1 || args.size > 500) throw new Error('--size must be 1-500');
  const loadStart = loadavg();
  const mesh = await startBenchMesh('feedback-ingest');
  const fdb = mesh.conn.useDb(dbOf('feedback'), { useCache: true });
  const adsDb = mesh.conn.useDb(dbOf('ads'), { useCache: true });
  const bus = mesh.conn.useDb(DEFAULT_BUS_DB, { useCache: true });
  const summed = async () => {
    let total = 0;
    for (const s of await fdb.collection('feedback_summaries').find().toArray())
      for (const k of COUNTERS) total += Number(s[k]) || 0;
    return total;
  };
  const adsSeen = () =>
    adsDb.collection('seen_signals').countDocuments({ _id: { $regex: '^fbk:' } } as never);
  const announced = () => bus.collection('events').countDocuments({ type: 'feedback.received' });
  try {
    const before = {
      docs: await fdb.collection('feedback').countDocuments(),
      summed: await summed(),
      announced: await announced(),
      adsSeen: await adsSeen(),
    };
    const total = args.batches * args.size;
    const batches = Array.from({ length: args.batches }, (_, b) =>
      Array.from({ length: args.size }, (_, j) => signal(b * args.size + j)),
    );
    const complaintsAboutAds = batches
      .flat()
      .filter((s) => s.kind === 'COMPLAINT' && s.target.type === 'AD').length;

    progress(
      `sending ${args.batches} batches of ${args.size} (${fmt(total)} signals), ${args.concurrency} in flight`,
    );
    const cpu0 = { feedback: await cpuSecondsOf(mesh.pids.feedback), db: await cpuSecondsOf(mesh.db.pid) };
    let accepted = 0;
    let duplicates = 0;
    let rejected = 0;
    const t0 = performance.now();
    const meshMs = await pool(args.batches, args.concurrency, async (b) => {
      const out = (await post<BatchOut>(mesh.gateway.url, BATCH, { inputs: batches[b] }, mesh.adminHeaders))
        .submitFeedbackBatch;
      accepted += out.accepted;
      duplicates += out.duplicates;
      rejected += out.rejected.length;
      if ((b + 1) % 10 === 0) progress(`  ${b + 1} / ${args.batches} batches answered`);
    });
    const meshSeconds = (performance.now() - t0) / 1000;
    const cpu1 = { feedback: await cpuSecondsOf(mesh.pids.feedback), db: await cpuSecondsOf(mesh.db.pid) };
    progress(`answered in ${meshSeconds.toFixed(1)} s; waiting for the consumers to drain`);

    // Drained: every consumer of feedback.received has stored a position at or past the newest one, and the counts agree.
    // The newest feedback.received: a consumer's position stops at the last event of its own types.
    const newest = (
      await bus
        .collection('events')
        .find({ type: 'feedback.received' }, { projection: { _id: 1 } })
        .sort({ _id: -1 })
        .limit(1)
        .toArray()
    )[0]?._id;
    const tDrain = performance.now();
    let drained = false;
    let offsets: { _id: string; offset: string }[] = [];
    while ((performance.now() - tDrain) / 1000 < args.drainSeconds) {
      offsets = (await bus.collection('offsets').find().toArray()) as unknown as typeof offsets;
      const feedbackConsumers = offsets.filter((o) =>
        (o as unknown as { types?: string[] }).types?.includes('feedback.received'),
      );
      const seen = (await adsSeen()) - before.adsSeen;
      if (feedbackConsumers.every((o) => String(o.offset) >= String(newest)) && seen >= complaintsAboutAds) {
        drained = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const drainSeconds = (performance.now() - tDrain) / 1000;
    const after = {
      docs: (await fdb.collection('feedback').countDocuments()) - before.docs,
      summed: (await summed()) - before.summed,
      announced: (await announced()) - before.announced,
      adsSeen: (await adsSeen()) - before.adsSeen,
    };
    const consumers = offsets
      .filter((o) => (o as unknown as { types?: string[] }).types?.includes('feedback.received'))
      .map((o) => o._id);
    const behind = offsets
      .filter((o) => consumers.includes(o._id) && String(o.offset) < String(newest))
      .map((o) => o._id);
    progress(
      `drained: ${drained} after ${drainSeconds.toFixed(1)} s (consumers of feedback.received: ${consumers.join(', ')})`,
    );

    // The reference: the same documents, raw, same batch size and concurrency.
    const now = Date.now();
    const rawBatches = batches.map((list) => list.map((s) => toFeedbackDoc(s as never, now, now)));
    const raw = fdb.collection<{ _id: string }>('feedback_raw_reference');
    const r0 = performance.now();
    const rawMs = await pool(args.batches, args.concurrency, async (b) => {
      await raw.insertMany(
        rawBatches[b]!.map((d) => ({ ...d })),
        { ordered: false },
      );
    });
    const rawSeconds = (performance.now() - r0) / 1000;
    await raw.drop();

    const meshRate = accepted / meshSeconds;
    const rawRate = total / rawSeconds;
    const m = latencySummary(meshMs);
    const r = latencySummary(rawMs);
    const lossFree =
      accepted === total &&
      after.docs === accepted &&
      after.summed === accepted &&
      after.announced === accepted &&
      after.adsSeen === complaintsAboutAds;
    process.stdout.write(
      `\nFeedback ingestion, ${args.batches} batches of ${args.size}, ${args.concurrency} in flight (embedded database)\n\n${table(
        ['path', 'signals', 'seconds', 'signals/s', 'p50 ms/batch', 'p99 ms/batch'],
        [
          [
            'submitFeedbackBatch through the gateway, loop running',
            fmt(accepted),
            round(meshSeconds, 2),
            fmt(meshRate),
            m.p50,
            m.p99,
          ],
          [
            'raw insertMany of the same documents',
            fmt(total),
            round(rawSeconds, 2),
            fmt(rawRate),
            r.p50,
            r.p99,
          ],
        ],
      )}\n\nratio ${round((100 * meshRate) / rawRate, 1)} %; consumers drained ${drained ? `${drainSeconds.toFixed(1)} s after the last answer` : `NOT within ${args.drainSeconds} s (behind: ${behind.join(', ') || 'none'}; ads counted ${after.adsSeen} of ${complaintsAboutAds} complaints)`}\n` +
        `loss check (${lossFree ? 'no loss' : 'LOSS OR DOUBLE COUNT'}): sent ${fmt(total)}, accepted ${fmt(accepted)} (duplicates ${duplicates}, rejected ${rejected}), stored ${fmt(after.docs)}, ` +
        `summed in the summaries ${fmt(after.summed)}, announced ${fmt(after.announced)}, complaints about ads counted by ads ${fmt(after.adsSeen)} of ${fmt(complaintsAboutAds)}\n` +
        `CPU during the sends: feedback subgraph ${round(cpu1.feedback - cpu0.feedback, 2)} s, database ${round(cpu1.db - cpu0.db, 2)} s; ` +
        `load average ${loadStart.map((l) => l.toFixed(1)).join(' ')} at start, ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')} at the end\n`,
    );
    const path = writeResults('feedback-ingest.json', {
      args,
      mesh: { accepted, duplicates, rejected, seconds: meshSeconds, rate: meshRate, latency: m },
      raw: { seconds: rawSeconds, rate: rawRate, latency: r },
      drained,
      drainSeconds,
      consumers,
      behind,
      loss: { total, after, complaintsAboutAds, lossFree },
      cpu: { feedback: cpu1.feedback - cpu0.feedback, db: cpu1.db - cpu0.db },
      loadStart,
      loadEnd: loadavg(),
    });
    progress(`results in ${path}`);
  } finally {
    await mesh.stop();
  }
}

await main();
