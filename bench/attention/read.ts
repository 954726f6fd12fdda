/**
 * Reads at scale: loads N stored events (default 1,000,000) with the attention subgraph's bulk import
 * (`importEvents`: raw unordered inserts, then one rebuild of the aggregates), then asks for
 * `User.attention` of 100 users and `Item.attentionStats` of 100 items in one query each, through the
 * gateway (100 aliased `user(id:)` / `item(id:)` fields, the users and items created first) and straight
 * to the attention subgraph (`_entities` with 100 representations), and counts the database commands
 * each query sends on the attention subgraph's connection.
 *
 *   npm run bench:attention-read -- [--events 1000000] [--repeats 200] [--help]
 */
import {
  CommandMonitor,
  type CommandStat,
  categoryOf,
  cpuMeter,
  fmt,
  gatewayHeaders,
  gql,
  importFromRepo,
  itemId,
  latencySummary,
  type Mesh,
  numericArgs,
  pool,
  progress,
  round,
  startDatabase,
  startMesh,
  subgraphHeaders,
  table,
  userId,
  worldEvents,
  writeResults,
} from './common.js';

const args = numericArgs(
  'Attention read benchmark: User.attention and Item.attentionStats for 100 entities over N stored events.\n' +
    'usage: npm run bench:attention-read -- [flags]',
  {
    events: 1_000_000,
    users: 20_000,
    items: 5_000,
    categories: 10,
    days: 6,
    entities: 100,
    repeats: 200,
    warmup: 5,
    importBatch: 1_000,
    probes: 5,
    maxSeconds: 45,
    emptySeconds: 8,
    aliasedAfterLoad: 0,
    seed: 7,
  },
  {
    events: 'stored events to load',
    users: 'distinct users',
    items: 'distinct items',
    categories: 'item categories (at most 12)',
    days: 'events occur within the last N days',
    entities: 'users (and items) asked for in one query',
    repeats: 'measured runs of each query',
    warmup: 'unmeasured runs of each query first',
    importBatch: 'importEvents batch size',
    probes: 'runs of each driver-level probe',
    maxSeconds: 'stop measuring a query after this many seconds (at least 3 runs), for slow ones',
    emptySeconds: 'time per query for the runs before the load (empty attention collections)',
    aliasedAfterLoad:
      '1: also run each aliased query once after the load (minutes at 1M events: one fetch per alias)',
    seed: 'PRNG seed',
  },
);

const USER_FIELDS =
  'attention { events impressions engagedSeconds categoryShares { category share } attentionSpanSeconds }';
const ITEM_FIELDS =
  'attentionStats { events impressions viewableImpressions viewabilityRate averageEngagedSeconds clicks attentionScore lastEventAt }';

/** Evenly spread over the id range, so light and heavy users (and items) are both asked for. */
const sample = (count: number, of: number) =>
  Array.from({ length: Math.min(count, of) }, (_, i) => Math.floor((i * of) / Math.min(count, of)));

async function load(
  mesh: Mesh,
  dbPid: number | undefined,
  sampledUsers: Set<string>,
  sampledItems: Set<string>,
) {
  const { importEvents } = await importFromRepo<
    typeof import('../../subgraphs/attention/dist/ingest/importEvents.js')
  >('subgraphs/attention/dist/ingest/importEvents.js');
  const expected = { users: new Map<string, number>(), items: new Map<string, number>() };
  const now = Date.now();
  const source = worldEvents({
    users: args.users,
    items: args.items,
    categories: args.categories,
    seed: args.seed,
    events: args.events,
    from: now - args.days * 86_400_000,
    to: now - 15 * 60_000,
  });
  function* counted() {
    for (const e of source) {
      if (e.userId && sampledUsers.has(e.userId))
        expected.users.set(e.userId, (expected.users.get(e.userId) ?? 0) + 1);
      if (sampledItems.has(e.target.id))
        expected.items.set(e.target.id, (expected.items.get(e.target.id) ?? 0) + 1);
      yield e;
    }
  }
  const meter = cpuMeter(dbPid);
  const t0 = performance.now();
  let insertMs = 0;
  let rebuilding = false;
  let last = 0;
  const every = (ms: number, f: () => void) => {
    if (performance.now() - last >= ms) {
      last = performance.now();
      f();
    }
  };
  const result = await importEvents(mesh.attention.runtime, counted(), {
    halfLifeDays: mesh.attention.runtime.settings.halfLifeDays,
    allowHistorical: true,
    batchSize: args.importBatch,
    onProgress: (p) => {
      insertMs = performance.now() - t0;
      every(10_000, () =>
        progress(
          `  import: ${fmt(p.read)} read, ${fmt(p.stored)} stored, ${fmt(
            p.read / ((performance.now() - t0) / 1000),
          )} events/s`,
        ),
      );
    },
    onRebuild: (p) => {
      if (!rebuilding) {
        rebuilding = true;
        progress(`  inserts done in ${fmt(insertMs / 1000, 1)} s; rebuilding the aggregates`);
      }
      every(10_000, () =>
        progress(`  rebuild: ${p.phase} ${fmt(p.done)}${p.total ? ` / ${fmt(p.total)}` : ''}`),
      );
    },
  });
  const cpu = meter();
  return { result, expected, insertMs: round(insertMs), totalMs: round(performance.now() - t0), cpu };
}

/** Collection sizes: `collStats` (FerretDB answers it from SQLite; a count would read every document). */
async function collectionSizes(mesh: Mesh) {
  const db = mesh.attention.connection.db!;
  const count = async (name: string) => {
    try {
      return Number((await db.command({ collStats: name })).count);
    } catch {
      return db.collection(name).estimatedDocumentCount();
    }
  };
  return {
    events: await count('attention_events'),
    totals: await count('attention_totals'),
    rollups: await count('attention_rollups'),
    profiles: await count('attention_profiles'),
    views: await count('attention_views'),
    sessions: await count('attention_sessions'),
  };
}

async function createEntities(mesh: Mesh, users: string[], items: string[]) {
  const admin = await gatewayHeaders();
  const fail = (what: string, errors: unknown) => {
    throw new Error(`${what} failed: ${JSON.stringify(errors)}`);
  };
  await pool(users.length, 4, async (i) => {
    const res = await gql(
      mesh.gateway.url,
      'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }',
      { input: { id: users[i], displayName: `Bench user ${i}`, consent: { analytics: true } } },
      undefined,
      admin,
    );
    if (res.errors) fail('createUser', res.errors);
  });
  await pool(items.length, 4, async (i) => {
    const id = items[i]!;
    const n = Number(id.slice(id.lastIndexOf('-') + 1));
    const res = await gql(
      mesh.gateway.url,
      'mutation($input: CreateItemInput!) { createItem(input: $input) { id } }',
      { input: { id, title: `Bench story ${n}`, kind: 'ARTICLE', category: categoryOf(n, args.categories) } },
      undefined,
      admin,
    );
    if (res.errors) fail('createItem', res.errors);
  });
}

interface Variant {
  name: string;
  url: string;
  query: string;
  variables: Record<string, unknown>;
  /** The per-entity results by id. */
  pick(data: unknown): Record<string, unknown>;
  /** The other subgraphs this path reads (their database finds are reported too). */
  others: ('users' | 'recommendation')[];
  /** 100 aliased root fields: run once, last, with a timeout (the gateway fans out one fetch per alias). */
  aliased?: boolean;
  /** Headers of each request: an admin's bearer token for the gateway, a signed context (per request) for a direct subgraph call. */
  headers?: () => Record<string, string>;
}

interface VariantResult {
  name: string;
  latencyMs: ReturnType<typeof latencySummary>;
  /** Per query, by `command collection` on the attention subgraph's connection: min, mean, max. */
  attentionCommands: Record<string, { min: number; mean: number; max: number }>;
  /** Summed driver-side durations of those commands per query (they overlap when sent at once). */
  attentionDbMsPerQuery: ReturnType<typeof latencySummary>;
  otherCommands: Record<string, { min: number; mean: number; max: number }>;
  /** True when --max-seconds cut the runs short. */
  capped: boolean;
  /** True when the single run of an aliased query took longer than --max-seconds (commands: those started). */
  timedOut: boolean;
  first: Record<string, unknown>;
}

function perQuery(samples: Record<string, CommandStat>[]) {
  const keys = new Set(samples.flatMap((s) => Object.keys(s)));
  const out: Record<string, { min: number; mean: number; max: number }> = {};
  for (const k of keys) {
    const counts = samples.map((s) => s[k]?.count ?? 0);
    out[k] = {
      min: Math.min(...counts),
      mean: round(counts.reduce((a, b) => a + b, 0) / counts.length, 2),
      max: Math.max(...counts),
    };
  }
  return out;
}

/**
 * Runs a query `--warmup` + `--repeats` times, one at a time, counting the commands each sends. Slow
 * queries stop after `--max-seconds` (at least 3 measured runs). `once`: no warm-up, a single run
 * allowed to fail by timeout (after `--max-seconds`), for the aliased queries' fan-out.
 */
async function measure(
  monitors: Record<string, CommandMonitor>,
  v: Variant,
  opts: { once?: boolean; budgetSeconds?: number } = {},
): Promise<VariantResult> {
  const budget = opts.budgetSeconds ?? args.maxSeconds;
  const latencies: number[] = [];
  const dbMs: number[] = [];
  const attention: Record<string, CommandStat>[] = [];
  const others: Record<string, CommandStat>[] = [];
  let first: Record<string, unknown> = {};
  // The attention subgraph's own collections: not the bus consumer's consent writes, if any arrive.
  const ours = (key: string) => / attention_/.test(key);
  const warmup = opts.once ? 0 : args.warmup;
  const minRuns = opts.once ? 1 : 3;
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  let capped = false;
  let timedOut = false;
  const snapshotCommands = () => {
    const snap = monitors.attention!.snapshot(ours);
    attention.push(snap);
    dbMs.push(Object.values(snap).reduce((a, s) => a + s.ms, 0));
    const other: Record<string, CommandStat> = {};
    for (const name of v.others) {
      for (const [k, s] of Object.entries(monitors[name]!.snapshot((k) => !k.startsWith('hello'))))
        other[`${name}: ${k}`] = s;
    }
    others.push(other);
  };
  for (let run = 0; run < warmup + args.repeats; run++) {
    const warm = run < warmup;
    // Slow queries get fewer runs: warm-up up to a quarter of the budget, then at least minRuns.
    if (warm && run > 0 && elapsed() > budget / 4) {
      run = warmup - 1;
      continue;
    }
    if (!warm && latencies.length >= minRuns && elapsed() > budget) {
      capped = true;
      break;
    }
    for (const m of Object.values(monitors)) m.reset();
    const headers = v.headers?.();
    const q0 = performance.now();
    let res: Awaited<ReturnType<typeof gql>>;
    try {
      res = await gql(v.url, v.query, v.variables, opts.once ? budget * 1000 : undefined, headers);
    } catch (err) {
      if (!opts.once || (err as Error).name !== 'TimeoutError') throw err;
      timedOut = true;
      snapshotCommands();
      break;
    }
    const ms = performance.now() - q0;
    if (res.errors?.length || !res.data) throw new Error(`${v.name}: ${JSON.stringify(res.errors)}`);
    if (run === 0) first = v.pick(res.data);
    if (warm) continue;
    latencies.push(ms);
    snapshotCommands();
  }
  progress(
    timedOut
      ? `  ${v.name}: timed out after ${budget} s`
      : `  ${v.name}: ${latencies.length} runs, p50 ${fmt(percentileOf(latencies, 50), 1)} ms${capped ? ` (capped at ${budget} s)` : ''}`,
  );
  return {
    name: v.name,
    latencyMs: latencySummary(latencies),
    attentionCommands: perQuery(attention),
    attentionDbMsPerQuery: latencySummary(dbMs),
    otherCommands: perQuery(others),
    capped,
    timedOut,
    first,
  };
}

const percentileOf = (values: number[], p: number) => latencySummary(values)[p === 50 ? 'p50' : 'p99'];

/** Driver-level probes on the attention database: what one `$in` costs against `_id` lookups. */
async function probes(mesh: Mesh, userIds: string[], itemIds: string[]) {
  const m = mesh.attention.runtime;
  const keys = itemIds.map((id) => `ITEM|${id}`);
  // One unmeasured run, then up to --probes runs, stopping after a third of --max-seconds (1 run at least).
  const time = async (f: () => Promise<unknown>) => {
    const ms: number[] = [];
    await f();
    const t0 = performance.now();
    while (ms.length < Math.max(1, args.probes)) {
      if (ms.length > 0 && performance.now() - t0 > (args.maxSeconds * 1000) / 3) break;
      const q0 = performance.now();
      await f();
      ms.push(performance.now() - q0);
    }
    return latencySummary(ms);
  };
  return {
    'totals: find {} (the whole collection)': await time(() => m.AttentionTotal.find({}).lean()),
    'totals: find {_id: {$in: [1 ITEM key]}}': await time(() =>
      m.AttentionTotal.find({ _id: { $in: keys.slice(0, 1) } }).lean(),
    ),
    'totals: findOne {_id: a key not stored}': await time(() =>
      m.AttentionTotal.findOne({ _id: 'ITEM|~not-stored' }).lean(),
    ),
    'totals: find {_id: {$in: 100 ITEM keys}}': await time(() =>
      m.AttentionTotal.find({ _id: { $in: keys } }).lean(),
    ),
    'totals: 100 x findOne {_id} in parallel': await time(() =>
      Promise.all(keys.map((k) => m.AttentionTotal.findOne({ _id: k }).lean())),
    ),
    'profiles: find {_id: {$in: 100 user ids}}': await time(() =>
      m.AttentionProfile.find({ _id: { $in: userIds } }).lean(),
    ),
    'profiles: 100 x findOne {_id} in parallel': await time(() =>
      Promise.all(userIds.map((id) => m.AttentionProfile.findOne({ _id: id }).lean())),
    ),
  };
}

async function main() {
  const users = sample(args.entities, args.users).map(userId);
  const items = sample(args.entities, args.items).map(itemId);
  const db = await startDatabase();
  const mesh = await startMesh(db, ['users', 'recommendation']);
  const monitors = {
    attention: new CommandMonitor(mesh.attention.connection),
    users: new CommandMonitor(mesh.subgraphs.users!.connection),
    recommendation: new CommandMonitor(mesh.subgraphs.recommendation!.connection),
  };
  try {
    progress(`creating ${users.length} users and ${items.length} items through the gateway`);
    await createEntities(mesh, users, items);
    // Let the consent events reach the attention subgraph's consumer before counting commands.
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    type Entity = { id: string } & Record<string, unknown>;
    const byId = (list: Entity[], field: string) => Object.fromEntries(list.map((e) => [e.id, e[field]]));
    const aliased = (kind: 'user' | 'item', ids: string[], fields: string) =>
      `query { ${ids.map((id, i) => `e${i}: ${kind}(id: "${id}") { id ${fields} }`).join(' ')} }`;
    const listed = (kind: 'users' | 'items', n: number, fields: string) =>
      `query { ${kind}(first: ${n}) { edges { node { id ${fields} } } } }`;
    const entities = (type: 'User' | 'Item', fields: string) =>
      `query Entities($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${type} { id ${fields} } } }`;
    const fromAliases = (field: string) => (data: unknown) =>
      byId(Object.values(data as Record<string, Entity>), field);
    const fromList = (kind: 'users' | 'items', field: string) => (data: unknown) =>
      byId(
        (data as Record<string, { edges: { node: Entity }[] }>)[kind]!.edges.map((e) => e.node),
        field,
      );
    const fromEntities = (field: string) => (data: unknown) =>
      byId((data as { _entities: Entity[] })._entities, field);
    const sgUrl = mesh.attention.url;
    const gw = mesh.gateway.url;
    const admin = await gatewayHeaders();
    const reps = (type: string, ids: string[]) => ({
      representations: ids.map((id) => ({ __typename: type, id })),
    });
    const variants: Variant[] = [
      {
        name: `gateway: users(first: ${users.length}) { attention }`,
        url: gw,
        headers: () => admin,
        query: listed('users', users.length, USER_FIELDS),
        variables: {},
        pick: fromList('users', 'attention'),
        others: ['users'],
      },
      {
        name: `gateway: ${users.length} aliased user(id:) { attention }`,
        url: gw,
        headers: () => admin,
        aliased: true,
        query: aliased('user', users, USER_FIELDS),
        variables: {},
        pick: fromAliases('attention'),
        others: ['users'],
      },
      {
        name: `subgraph: _entities ${users.length} User { attention }`,
        url: sgUrl,
        query: entities('User', USER_FIELDS),
        variables: reps('User', users),
        pick: fromEntities('attention'),
        others: [],
        // User.attention is the person's own or an admin's: the benchmark reads as an admin.
        headers: () => subgraphHeaders(),
      },
      {
        name: `gateway: items(first: ${items.length}) { attentionStats }`,
        url: gw,
        headers: () => admin,
        query: listed('items', items.length, ITEM_FIELDS),
        variables: {},
        pick: fromList('items', 'attentionStats'),
        others: ['recommendation'],
      },
      {
        name: `gateway: ${items.length} aliased item(id:) { attentionStats }`,
        url: gw,
        headers: () => admin,
        aliased: true,
        query: aliased('item', items, ITEM_FIELDS),
        variables: {},
        pick: fromAliases('attentionStats'),
        others: ['recommendation'],
      },
      {
        name: `subgraph: _entities ${items.length} Item { attentionStats }`,
        url: sgUrl,
        query: entities('Item', ITEM_FIELDS),
        variables: reps('Item', items),
        pick: fromEntities('attentionStats'),
        others: [],
        headers: () => subgraphHeaders(),
      },
    ];
    // Before the load: every path on empty attention collections (the mesh's own cost, and how many
    // finds each path sends, which does not depend on the data).
    progress(`before the load: each of ${variants.length} queries for about ${args.emptySeconds} s`);
    const empty = new Map<Variant, VariantResult>();
    for (const v of variants) empty.set(v, await measure(monitors, v, { budgetSeconds: args.emptySeconds }));

    progress(
      `loading ${fmt(args.events)} events (${fmt(args.users)} users, ${fmt(args.items)} items, last ${args.days} days) with importEvents`,
    );
    const loaded = await load(mesh, db.pid, new Set(users), new Set(items));
    const r = loaded.result;
    progress(
      `loaded: ${fmt(r.stored)} stored of ${fmt(r.read)} (${r.duplicates} duplicates, ${r.rejected} rejected, ${r.dropped} dropped); ` +
        `inserts ${fmt(loaded.insertMs / 1000, 1)} s, rebuild ${fmt(r.rebuildMs / 1000, 1)} s, total ${fmt(loaded.totalMs / 1000, 1)} s`,
    );
    const sizes = await collectionSizes(mesh);
    progress(
      `collections: ${Object.entries(sizes)
        .map(([k, n]) => `${k} ${fmt(n)}`)
        .join(', ')}`,
    );

    const batched = variants.filter((v) => !v.aliased);
    progress(
      `after the load: up to ${args.warmup} warm-up + ${args.repeats} runs of each of ${batched.length} batched queries (~${args.maxSeconds} s at most each)`,
    );
    const byVariant = new Map<Variant, VariantResult>();
    for (const v of batched) byVariant.set(v, await measure(monitors, v));

    progress(`driver-level probes (${args.probes} runs each)`);
    const probe = await probes(mesh, users, items);

    // Last, as an aborted one leaves its work running in the mesh: the aliased queries, once each.
    if (args.aliasedAfterLoad) {
      for (const v of variants.filter((x) => x.aliased)) {
        progress(`${v.name}: one run, at most ${args.maxSeconds} s`);
        byVariant.set(v, await measure(monitors, v, { once: true }));
      }
    }
    const results = variants.flatMap((v) => byVariant.get(v) ?? []);

    // --- correctness: every path gives the same answer per entity, and the counts are those generated
    const answers = (kind: 'User' | 'Item') =>
      variants
        .filter((v) => v.query.includes(kind === 'User' ? 'attention {' : 'attentionStats {'))
        .flatMap((v) => {
          const x = byVariant.get(v);
          return x && !x.timedOut ? [x.first] : [];
        });
    const userPaths = answers('User');
    const itemPaths = answers('Item');
    const agree = (paths: Record<string, unknown>[], ids: string[]) =>
      ids.filter((id) => new Set(paths.map((p) => JSON.stringify(p[id]))).size !== 1);
    const disagreeing = [...agree(userPaths, users), ...agree(itemPaths, items)];
    const same = disagreeing.length === 0;
    const eventsOf = (p: Record<string, unknown> | undefined, id: string) =>
      (p?.[id] as { events?: number } | undefined)?.events;
    const userMismatches = users.filter(
      (id) => eventsOf(userPaths[0], id) !== (loaded.expected.users.get(id) ?? 0),
    );
    const itemMismatches = items.filter(
      (id) => eventsOf(itemPaths[0], id) !== (loaded.expected.items.get(id) ?? 0),
    );
    const withEvents = {
      users: users.filter((id) => (loaded.expected.users.get(id) ?? 0) > 0).length,
      items: items.filter((id) => (loaded.expected.items.get(id) ?? 0) > 0).length,
    };

    // --- report
    const commandCell = (c: Record<string, { min: number; mean: number; max: number }>) =>
      Object.entries(c)
        .map(([k, s]) => `${k} ${s.min === s.max ? s.min : `${s.min}-${s.max} (mean ${s.mean})`}`)
        .join(', ') || '-';
    const out: string[] = [];
    out.push(`\nAttention reads — ${db.kind}; ${args.entities} entities per query, one query in flight`);
    out.push(
      `load: importEvents ${fmt(loaded.totalMs / 1000, 1)} s (inserts ${fmt(loaded.insertMs / 1000, 1)} s = ` +
        `${fmt(r.read / (loaded.insertMs / 1000))} events/s, rebuild ${fmt(r.rebuildMs / 1000, 1)} s); ` +
        `CPU node ${fmt(loaded.cpu.nodeCpuMs / 1000, 1)} s, db ${loaded.cpu.dbCpuMs === null ? '-' : fmt(loaded.cpu.dbCpuMs / 1000, 1)} s`,
    );
    out.push(
      `collections: ${Object.entries(sizes)
        .map(([k, n]) => `${k} ${fmt(n)}`)
        .join(', ')}\n`,
    );
    const findsPerCollection = (x: VariantResult) =>
      Math.max(0, ...Object.entries(x.attentionCommands).map(([k, s]) => (k.startsWith('find') ? s.max : 0)));
    const renderTable = (list: VariantResult[]) =>
      table(
        [
          'query',
          'runs',
          'p50 ms',
          'p90 ms',
          'p99 ms',
          'max ms',
          'p99<50',
          'db ms/q p50',
          'finds per query (attention db)',
        ],
        list.map((x) =>
          x.timedOut
            ? [
                x.name,
                '0',
                `> ${fmt(args.maxSeconds * 1000)}`,
                '-',
                '-',
                '-',
                'MISSED',
                '-',
                `${commandCell(x.attentionCommands)} (started before the timeout)`,
              ]
            : [
                x.name,
                `${x.latencyMs.n}${x.capped ? '*' : ''}`,
                fmt(x.latencyMs.p50, 1),
                fmt(x.latencyMs.p90, 1),
                fmt(x.latencyMs.p99, 1),
                fmt(x.latencyMs.max, 1),
                x.latencyMs.p99 < 50 ? 'met' : 'MISSED',
                fmt(x.attentionDbMsPerQuery.p50, 1),
                commandCell(x.attentionCommands),
              ],
        ),
      );
    const emptyResults = variants.map((v) => empty.get(v)!);
    out.push(
      `before the load (empty attention collections; about ${args.emptySeconds} s per query): the mesh's own cost and the finds each path sends\n`,
    );
    out.push(renderTable(emptyResults));
    out.push(
      `\nafter the load: ${fmt(r.stored)} events; up to ${args.repeats} runs per query (+${args.warmup} warm-up), at most about ${args.maxSeconds} s each\n`,
    );
    out.push(renderTable(results));
    if (results.some((x) => x.capped))
      out.push(`* fewer runs than --repeats ${args.repeats}: stopped after --max-seconds ${args.maxSeconds}`);
    if (!args.aliasedAfterLoad)
      out.push(
        '  (the aliased queries are not run after the load, see --aliased-after-load; their finds are above)',
      );
    for (const x of results) {
      if (Object.keys(x.otherCommands).length)
        out.push(`  ${x.name}: other subgraphs ${commandCell(x.otherCommands)}`);
    }
    const batchedResults = batched.map((v) => byVariant.get(v)!);
    const worstP99 = Math.max(...batchedResults.map((x) => x.latencyMs.p99));
    const oneTrip = batchedResults.every((x) => findsPerCollection(x) <= 1);
    out.push(
      `\ntargets, on the batched paths (list fields and _entities): p99 < 50 ms ${worstP99 < 50 ? 'met' : 'MISSED'} ` +
        `(worst p99 ${fmt(worstP99, 1)} ms); one find per collection per query ${oneTrip ? 'met' : 'MISSED'} ` +
        '(User.attention reads 2 collections, attention_totals and attention_profiles; Item.attentionStats 1)',
    );
    const fanOut = variants.flatMap((v) => (v.aliased ? [byVariant.get(v) ?? empty.get(v)!] : []));
    if (fanOut.length)
      out.push(
        `aliased root fields: the gateway plans one entity fetch per alias: ${fanOut
          .map(
            (x) =>
              `${x.name.replace(/^gateway: /, '')} -> up to ${findsPerCollection(x)} finds per collection`,
          )
          .join('; ')}`,
      );
    out.push(
      `correctness: the three paths' answers ${same ? 'identical' : `DIFFER for ${disagreeing.length} entities`}; events per entity equal the generated counts: ` +
        `users ${users.length - userMismatches.length}/${users.length} (${withEvents.users} with events), ` +
        `items ${items.length - itemMismatches.length}/${items.length} (${withEvents.items} with events)\n`,
    );
    out.push(
      table(
        ['driver-level probe on the attention db', 'runs', 'p50 ms', 'max ms'],
        Object.entries(probe).map(([k, s]) => [k, s.n, fmt(s.p50, 1), fmt(s.max, 1)]),
      ),
    );
    process.stdout.write(`${out.join('\n')}\n`);
    const path = writeResults('attention-read.json', {
      benchmark: 'attention-read',
      at: new Date().toISOString(),
      database: db.kind,
      args,
      load: {
        ...r,
        insertMs: loaded.insertMs,
        totalMs: loaded.totalMs,
        cpu: loaded.cpu,
      },
      collections: sizes,
      emptyQueries: emptyResults.map(({ first: _first, ...x }) => x),
      queries: results.map(({ first: _first, ...x }) => x),
      targets: {
        p99Ms: 50,
        batchedWorstP99Ms: worstP99,
        p99Met: worstP99 < 50,
        oneFindPerCollection: oneTrip,
      },
      correctness: { identical: same, disagreeing, userMismatches, itemMismatches, withEvents },
      probes: probe,
    });
    progress(`results written to ${path}`);
    if (!same || userMismatches.length || itemMismatches.length) process.exitCode = 1;
  } finally {
    // Work a timed-out query left in the mesh can hold the shutdown: never outlive it by long.
    setTimeout(() => {
      progress('shutdown still waiting after 30 s: exiting');
      process.exit(process.exitCode ?? 0);
    }, 30_000).unref();
    for (const m of Object.values(monitors)) m.stop();
    await mesh.stop();
    await db.stop();
  }
}

await main();
