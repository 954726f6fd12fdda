/**
 * `User.feedback(first: 10)` through the gateway with 1,000 feedback documents stored, then with
 * 200,000 (target: the same p99, since the read goes by `_id`: the user's index document, then each
 * signal), next to the old path (a `find({ userId })` sorted by `_id`, what User.feedback sent before)
 * on the same 200,000 documents straight to the database. The documents are seeded by a raw multi-row
 * insert in the shape the subgraph writes (its own `toFeedbackDoc`), with the index entries it keeps
 * (`UserFeedbackIndex`: one small document per signal and list, numbered, read by `_id`).
 * Progress on stderr, the table on stdout, the figures in bench/results/feedback-read.json.
 */
import { loadavg } from 'node:os';
import { demoWorld } from '@attention-mesh/mesh';
import { numericArgs } from '../shared/args.js';
import { latencySummary } from '../shared/latency.js';
import { fmt, progress, round, table } from '../shared/output.js';
import { importFromRepo, writeResults } from '../shared/repo.js';
import { dbOf, personHeaders, post, startBenchMesh } from './common.js';

const args = numericArgs(
  'npm run bench:feedback-read -- [flags]\n\n' +
    'User.feedback(first: 10) p99 through the gateway at 1,000 and at 200,000 stored feedback documents.',
  { small: 1_000, large: 200_000, runs: 500, perDemoUser: 200, users: 2_000, chunk: 5_000, oldRuns: 3 },
  {
    small: 'feedback documents stored for the first measurement',
    large: 'feedback documents stored for the second',
    runs: 'queries per measurement (sequential, round robin over the 24 demo users)',
    perDemoUser: 'documents of each demo user added for the large measurement',
    users: 'other (synthetic) users the rest of the large set belongs to',
    chunk: 'documents per raw insert',
    oldRuns: 'runs of the old filtered find at the large size',
  },
);

type FeedbackDoc = { _id: string; userId: string; kind: string; receivedAt: number };
const { lastSeq, entryId } = await importFromRepo<
  typeof import('../../subgraphs/feedback/dist/history/userFeedbackIndex.js')
>('subgraphs/feedback/dist/history/userFeedbackIndex.js');
const { toFeedbackDoc } = await importFromRepo<
  typeof import('../../subgraphs/feedback/dist/ingest/feedbackDoc.js')
>('subgraphs/feedback/dist/ingest/feedbackDoc.js');
const KINDS = ['CLICK', 'LIKE', 'DISLIKE', 'HIDE', 'RATING', 'DWELL', 'CONVERSION'] as const;
const world = demoWorld();
const demoUsers = world.users.map((u) => u.id as string);
const items = world.items.map((i) => i.id as string);
let serial = 0;

function doc(userId: string, now: number): FeedbackDoc {
  const n = serial++;
  const kind = KINDS[n % KINDS.length]!;
  return toFeedbackDoc(
    {
      clientId: `raw-${n}`,
      userId,
      target: { type: 'ITEM', id: items[n % items.length]! },
      kind,
      rating: kind === 'RATING' ? 1 + (n % 5) : null,
      dwellMs: kind === 'DWELL' ? 1000 + (n % 60_000) : null,
    },
    now - 60_000,
    now,
  ) as FeedbackDoc;
}

const QUERY = `query($id: ID!) { user(id: $id) { feedback(first: 10) { edges { node { id kind occurredAt } } } } }`;
type Page = { user: { feedback: { edges: { node: { id: string } }[] } } | null };

async function main() {
  const loadStart = loadavg();
  const mesh = await startBenchMesh('feedback-read');
  const fdb = mesh.conn.useDb(dbOf('feedback'), { useCache: true });
  const feedback = fdb.collection<FeedbackDoc>('feedback');
  const index = fdb.collection<{ _id: string; feedbackId: string; receivedAt: number }>(
    'feedback_user_index',
  );
  /** The end of each list this seeder wrote to. */
  const ends = new Map<string, number>();
  const headers = new Map<string, Record<string, string>>();
  for (const u of demoUsers) headers.set(u, await personHeaders(u));
  /** The newest ids seeded per demo user (newest last). */
  const seeded = new Map<string, string[]>();

  /** Raw multi-row inserts of `docs`, then the index documents the subgraph would keep for them. */
  async function seed(docs: FeedbackDoc[]) {
    const t = Date.now();
    for (let i = 0; i < docs.length; i += args.chunk) {
      await feedback.insertMany(docs.slice(i, i + args.chunk), { ordered: false });
      progress(`  inserted ${fmt(Math.min(i + args.chunk, docs.length))} / ${fmt(docs.length)} documents`);
    }
    // The index entries the subgraph keeps (UserFeedbackIndex): `${key}#${seq}`, seq after the list's end.
    const byKey = new Map<string, FeedbackDoc[]>();
    for (const d of docs)
      for (const key of [d.userId, `${d.userId}|${d.kind}`]) {
        const list = byKey.get(key);
        if (list) list.push(d);
        else byKey.set(key, [d]);
      }
    const exists = (key: string) => async (s: number) =>
      (await index.findOne({ _id: entryId(key, s) }, { projection: { _id: 1 } })) !== null;
    const entries: { _id: string; feedbackId: string; receivedAt: number }[] = [];
    for (const [key, list] of byKey) {
      // Synthetic users are new; the demo users' lists hold what the demo seed sent through the mutation.
      const end = ends.get(key) ?? (key.startsWith('usr-bench-') ? 0 : await lastSeq(exists(key)));
      list.forEach((d, i) => {
        entries.push({ _id: entryId(key, end + i + 1), feedbackId: d._id, receivedAt: d.receivedAt });
      });
      ends.set(key, end + list.length);
    }
    for (let i = 0; i < entries.length; i += args.chunk)
      await index.insertMany(entries.slice(i, i + args.chunk), { ordered: false });
    for (const d of docs)
      if (seeded.has(d.userId) || demoUsers.includes(d.userId)) {
        const list = seeded.get(d.userId) ?? [];
        list.push(d._id);
        seeded.set(d.userId, list);
      }
    progress(
      `  seeded ${fmt(docs.length)} documents and ${fmt(entries.length)} index entries in ${((Date.now() - t) / 1000).toFixed(1)} s`,
    );
  }

  async function measure(label: string) {
    const stored = await feedback.countDocuments();
    for (let i = 0; i < 30; i++)
      await post<Page>(mesh.gateway.url, QUERY, { id: demoUsers[i % 24] }, headers.get(demoUsers[i % 24]!)!);
    const ms: number[] = [];
    let checked = 0;
    let wrong = 0;
    for (let i = 0; i < args.runs; i++) {
      const user = demoUsers[i % demoUsers.length]!;
      const t0 = performance.now();
      const page = await post<Page>(mesh.gateway.url, QUERY, { id: user }, headers.get(user)!);
      ms.push(performance.now() - t0);
      const newest = (seeded.get(user) ?? []).slice(-10).reverse();
      if (newest.length === 10) {
        checked++;
        if (JSON.stringify(page.user?.feedback.edges.map((e) => e.node.id)) !== JSON.stringify(newest))
          wrong++;
      }
    }
    const s = latencySummary(ms);
    progress(
      `${label}: ${fmt(stored)} stored, p50 ${s.p50} ms, p99 ${s.p99} ms (${checked} pages checked, ${wrong} wrong)`,
    );
    return { label, stored, ...s, checked, wrong };
  }

  const results: Record<string, unknown>[] = [];
  try {
    const now = Date.now();
    const existing = await feedback.countDocuments();
    progress(`the demo world stored ${existing} feedback documents; seeding up to ${fmt(args.small)}`);
    await seed(
      Array.from({ length: Math.max(0, args.small - existing) }, (_, i) => doc(demoUsers[i % 24]!, now + i)),
    );
    results.push(await measure('small'));

    const more = args.large - (await feedback.countDocuments());
    const demoShare = Math.min(more, args.perDemoUser * demoUsers.length);
    progress(
      `seeding ${fmt(more)} more (${fmt(demoShare)} of the demo users, the rest of ${fmt(args.users)} others)`,
    );
    const t1 = Date.now() + args.small;
    const docs = Array.from({ length: more }, (_, i) =>
      i % Math.ceil(more / Math.max(1, demoShare)) === 0 && demoShare > 0
        ? doc(demoUsers[i % 24]!, t1 + i)
        : doc(`usr-bench-${i % args.users}`, t1 + i),
    );
    await seed(docs);
    results.push(await measure('large'));

    // The old path at the large size, straight to the database: a filter on userId, sorted by _id.
    const old: number[] = [];
    for (let i = 0; i < args.oldRuns; i++) {
      const t0 = performance.now();
      await feedback
        .find({ userId: demoUsers[i % 24] })
        .sort({ _id: -1 })
        .limit(11)
        .toArray();
      old.push(performance.now() - t0);
    }
    const oldSummary = latencySummary(old);
    progress(`old path at ${fmt(args.large)}: p50 ${oldSummary.p50} ms`);

    const [small, large] = results as {
      stored: number;
      p50: number;
      p90: number;
      p99: number;
      max: number;
      checked: number;
      wrong: number;
    }[];
    process.stdout.write(
      `\nUser.feedback(first: 10) through the gateway, ${args.runs} sequential queries per size (embedded database)\n\n${table(
        ['', 'stored', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'pages checked', 'wrong'],
        [
          [
            'index by _id, small',
            fmt(small!.stored),
            small!.p50,
            small!.p90,
            small!.p99,
            small!.max,
            small!.checked,
            small!.wrong,
          ],
          [
            'index by _id, large',
            fmt(large!.stored),
            large!.p50,
            large!.p90,
            large!.p99,
            large!.max,
            large!.checked,
            large!.wrong,
          ],
          [
            'old path: find({ userId }) sorted, driver only',
            fmt(large!.stored),
            oldSummary.p50,
            oldSummary.p90,
            oldSummary.p99,
            oldSummary.max,
            '',
            '',
          ],
        ],
      )}\n\np99 large / small: ${round(large!.p99 / small!.p99, 2)}x; load average ${loadStart.map((l) => l.toFixed(1)).join(' ')} at start, ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} at the end\n`,
    );
    const path = writeResults('feedback-read.json', {
      args,
      results,
      old: oldSummary,
      loadStart,
      loadEnd: loadavg(),
    });
    progress(`results in ${path}`);
  } finally {
    await mesh.stop();
  }
}

await main();
