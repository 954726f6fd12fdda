/**
 * Issue 14's first speed target: an event published on the bus → every matching subscriber receives
 * its resolved payload, p50/p99 with 1,000 concurrent graphql-ws subscribers, per bus adapter (target
 * p99 <= 250 ms on mongo, <= 50 ms on NATS), and the gateway's memory per idle subscriber.
 *
 * The five subgraphs run in child processes on a private embedded database (or MONGODB_URI); the
 * gateway runs in this process (its heap and RSS before and after the subscribers connect, after a
 * GC, give the memory per idle subscriber); the subscribers run in another child process
 * (`subscriptionClients.ts`). Users are created through the gateway; each subscriber is one of them,
 * with their own bearer token, subscribed to `attentionChanged(userId)` selecting `at user { id
 * displayName }` (an entity fetch to the users subgraph per payload). This process publishes
 * `attention.recorded` events for the users round-robin at a fixed rate, each with `lastEventAt` = the
 * time it is published; the latency of a payload is its receipt time minus that (one machine, one
 * clock). Progress on stderr, the table on stdout, the figures in bench/results/gateway-subscriptions.json.
 */
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunningGateway, startGateway } from '@attention-mesh/gateway';
import { signDevelopmentToken } from '@attention-mesh/mesh';
import {
  DEFAULT_BUS_DB,
  type EventBus,
  MongoEventBus,
  meshEvent,
  NatsEventBus,
} from '@attention-mesh/platform';
import { startNatsServer } from '@attention-mesh/testkit';
import { numericArgs } from '../shared/args.js';
import { startDatabase } from '../shared/database.js';
import { latencySummary } from '../shared/latency.js';
import { fmt, progress, round, stderrLogger, table } from '../shared/output.js';
import { importFromRepo, writeResults } from '../shared/repo.js';
import { SUBGRAPHS, startSubgraphs } from '../shared/subgraphs.js';

const TARGETS: Record<string, number> = { mongo: 250, nats: 50 };

// `--bus mongo,nats` (a string flag; the numeric ones are parsed below).
let buses = ['mongo', 'nats'];
const busFlag = process.argv.indexOf('--bus');
if (busFlag >= 0) {
  buses = (process.argv[busFlag + 1] ?? '').split(',').filter(Boolean);
  process.argv.splice(busFlag, 2);
}

const args = numericArgs(
  'npm run bench:subscriptions -- [--bus mongo,nats] [flags]\n\n' +
    'Event published -> resolved payload at 1,000 graphql-ws subscribers (p50/p99 per bus adapter) and the\n' +
    "gateway's memory per idle subscriber.",
  {
    subscribers: 1000,
    users: 250,
    events: 300,
    rate: 30,
    pollMs: 100,
    idleSeconds: 5,
    bare: 0,
  },
  {
    subscribers: 'concurrent subscribers (one graphql-ws connection each)',
    users: 'distinct users they subscribe to (subscribers / users devices per user)',
    events: 'attention.recorded events published (round-robin over the users)',
    rate: 'events published per second',
    pollMs:
      'mongo adapter: how often each bus reads the log while events flow (EVENT_POLL_MS, default 100 ms)',
    idleSeconds: 'seconds the subscribers stay idle before memory is measured',
    bare: '1: select `at user { id }` only (answered from the event, no subgraph call): the gateway alone',
  },
);
if (args.subscribers < 1 || args.users < 1 || args.users > args.subscribers)
  throw new Error('--subscribers >= --users >= 1');

// ---------------------------------------------------------------------------------------------------
// Bus adapters: one function each.

interface Buses {
  /** What the gateway reads (its one subscription). */
  gateway: EventBus;
  /** What this process publishes on (a separate instance, as another service would). */
  publisher: EventBus;
  note: string;
  /** Stops what the adapter started besides the two buses (the NATS server). */
  stop(): Promise<void>;
}

type Adapter = (mongoUri: string) => Promise<Buses>;

/**
 * When the gateway's bus handed each event to the gateway, by `userId|lastEventAt`: what a payload's
 * latency owes to the bus (publish → delivery) and to the gateway (delivery → payload received).
 */
const deliveredAt = new Map<string, number>();

/** The gateway's bus, noting when it delivers each event (the handler is the gateway's). */
function noteDeliveries(bus: EventBus): EventBus {
  return {
    publish: (events) => bus.publish(events),
    deadLetters: (q) => bus.deadLetters(q),
    replayDeadLetters: (q) => bus.replayDeadLetters(q),
    lag: () => bus.lag(),
    redactUser: (userId, replacement) => bus.redactUser(userId, replacement),
    close: () => bus.close(),
    subscribe: (consumer, types, handler, opts) =>
      bus.subscribe(
        consumer,
        types,
        (event) => {
          const data = event.data as { lastEventAt?: number };
          deliveredAt.set(`${event.userId}|${data.lastEventAt}`, Date.now());
          return handler(event);
        },
        opts,
      ),
  };
}

const ADAPTERS: Record<string, Adapter> = {
  mongo: async (uri) => {
    const logger = stderrLogger('bus');
    const opts = {
      uri,
      dbName: DEFAULT_BUS_DB,
      logger,
      pollIntervalMs: args.pollMs,
    };
    return {
      gateway: await MongoEventBus.connect(opts),
      publisher: await MongoEventBus.connect(opts),
      note: `poll ${args.pollMs} ms`,
      stop: async () => {},
    };
  },
  nats: async () => {
    // Debian's nats-server with JetStream, on a free port with a temporary store (removed after).
    const server = await startNatsServer();
    const logger = stderrLogger('bus');
    const opts = { url: server.url, stream: 'bench', logger };
    return {
      gateway: await NatsEventBus.connect(opts),
      publisher: await NatsEventBus.connect(opts),
      note: `nats-server ${server.url}`,
      stop: () => server.stop(),
    };
  },
};

// ---------------------------------------------------------------------------------------------------
// The subscribers' process

interface Collected {
  /** Per payload: user id, the event's `at` (publish start), arrival; epoch ms. */
  latencies: [string, number, number][];
  errors: number;
  firstError?: string;
}

interface Clients {
  open(url: string, subscribers: { userId: string; token: string }[]): Promise<number>;
  collect(): Promise<Collected>;
  close(): Promise<void>;
}

function startClients(): Clients {
  const here = dirname(fileURLToPath(import.meta.url));
  const child = fork(join(here, 'subscriptionClients.js'), [], { stdio: ['ignore', 2, 2, 'ipc'] });
  const next = <T>(kind: string) =>
    new Promise<T>((resolve, reject) => {
      const on = (m: { kind: string; error?: string }) => {
        if (m.kind === 'failed') reject(new Error(m.error));
        if (m.kind !== kind) return;
        child.off('message', on);
        resolve(m as T);
      };
      child.on('message', on);
    });
  return {
    async open(url, subscribers) {
      const done = next<{ opened: number }>('opened');
      child.send({ kind: 'open', url, subscribers, bare: args.bare === 1 });
      return (await done).opened;
    },
    async collect() {
      const done = next<Collected>('collected');
      child.send({ kind: 'collect' });
      return done;
    },
    async close() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ kind: 'close' });
      await exited;
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// One run per adapter

const gc = (globalThis as { gc?: () => void }).gc;
function memory() {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss };
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface RunResult {
  bus: string;
  note: string;
  publishedPerSecond: number;
  /** Publish start → the gateway's bus delivers the event. */
  busMs: ReturnType<typeof latencySummary>;
  /** Delivery to the gateway → the subscriber has the resolved payload. */
  gatewayMs: ReturnType<typeof latencySummary>;
  subscribers: number;
  events: number;
  expected: number;
  received: number;
  errors: number;
  latencyMs: ReturnType<typeof latencySummary>;
  /** The publisher's `publish` calls alone (the bus write before any consumer can see the event). */
  publishMs: ReturnType<typeof latencySummary>;
  memoryPerSubscriber: { heapBytes: number; rssBytes: number };
  target: number;
}

async function runAdapter(
  name: string,
  adapter: Adapter,
  mongoUri: string,
  urls: Record<string, string>,
  users: string[],
): Promise<RunResult> {
  const buses = await adapter(mongoUri);
  const { loadGatewayConfig } =
    await importFromRepo<typeof import('../../gateway/dist/config.js')>('gateway/dist/config.js');
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    HOST: '127.0.0.1',
    PORT: '0',
    WATCH_SUPERGRAPH: 'false',
    MONGODB_URI: mongoUri,
    SUBSCRIPTION_QUEUE_SIZE: '64',
    ...Object.fromEntries(SUBGRAPHS.map((n) => [`SUBGRAPH_${n.toUpperCase()}_URL`, urls[n]!])),
  };
  const gateway: RunningGateway = await startGateway(loadGatewayConfig(env), {
    logger: stderrLogger('gateway'),
    eventBus: noteDeliveries(buses.gateway),
  });
  const clients = startClients();
  try {
    const tokens = new Map<string, string>();
    for (const u of users) tokens.set(u, await signDevelopmentToken({ sub: u, ttl: '2h' }));
    const subscribers = Array.from({ length: args.subscribers }, (_, i) => {
      const userId = users[i % users.length]!;
      return { userId, token: tokens.get(userId)! };
    });
    const before = memory();
    progress(`[${name}] opening ${args.subscribers} subscriptions`);
    const opened = await clients.open(gateway.url.replace(/^http/, 'ws'), subscribers);
    await waitFor(() => gateway.openSubscriptions() >= opened, `${opened} open subscriptions`);
    await new Promise((r) => setTimeout(r, args.idleSeconds * 1000));
    const after = memory();
    const perSub = {
      heapBytes: Math.round((after.heapUsed - before.heapUsed) / opened),
      rssBytes: Math.round((after.rss - before.rss) / opened),
    };
    progress(
      `[${name}] ${opened} idle subscribers: heap +${fmt((after.heapUsed - before.heapUsed) / 1e6, 1)} MB, RSS +${fmt((after.rss - before.rss) / 1e6, 1)} MB`,
    );

    // Warm-up events (first plans, first entity fetches), not measured.
    for (let i = 0; i < Math.min(users.length, 20); i++) await publish(buses.publisher, users[i]!);
    await new Promise((r) => setTimeout(r, 2_000));
    await clients.collect();
    publishMs = [];

    progress(`[${name}] publishing ${args.events} events at up to ${args.rate}/s, one publish at a time`);
    const interval = 1000 / args.rate;
    const start = performance.now();
    for (let i = 0; i < args.events; i++) {
      const wait = start + i * interval - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await publish(buses.publisher, users[i % users.length]!);
    }
    const publishedPerSecond = args.events / ((performance.now() - start) / 1000);
    const perUser = args.subscribers / users.length;
    const subscribersOf = new Map<string, number>();
    for (const s of subscribers) subscribersOf.set(s.userId, (subscribersOf.get(s.userId) ?? 0) + 1);
    let expected = 0;
    for (let i = 0; i < args.events; i++) expected += subscribersOf.get(users[i % users.length]!) ?? 0;
    // Let the last ones arrive.
    const deadline = Date.now() + 15_000;
    let got: Collected = { latencies: [], errors: 0 };
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1_000));
      const more = await clients.collect();
      const firstError = got.firstError ?? more.firstError;
      got = {
        latencies: got.latencies.concat(more.latencies),
        errors: got.errors + more.errors,
        ...(firstError ? { firstError } : {}),
      };
      if (got.latencies.length + got.errors >= expected) break;
    }
    if (got.firstError) progress(`[${name}] first error: ${got.firstError}`);
    progress(
      `[${name}] ${got.latencies.length}/${expected} payloads (${round(perUser, 1)} subscribers per user)`,
    );
    const viaBus: number[] = [];
    const inGateway: number[] = [];
    for (const [userId, at, received] of got.latencies) {
      const delivered = deliveredAt.get(`${userId}|${at}`);
      if (delivered === undefined) continue;
      viaBus.push(delivered - at);
      inGateway.push(received - delivered);
    }
    return {
      bus: name,
      note: buses.note,
      publishedPerSecond: round(publishedPerSecond, 1),
      busMs: latencySummary(viaBus),
      gatewayMs: latencySummary(inGateway),
      subscribers: opened,
      events: args.events,
      expected,
      received: got.latencies.length,
      errors: got.errors,
      latencyMs: latencySummary(got.latencies.map(([, at, received]) => received - at)),
      publishMs: latencySummary(publishMs),
      memoryPerSubscriber: perSub,
      target: TARGETS[name] ?? Number.NaN,
    };
  } finally {
    await clients.close();
    await gateway.stop();
    await buses.gateway.close();
    await buses.publisher.close();
    await buses.stop();
  }
}

/** How long each measured `publish` took (the bus's write; part of every payload's latency). */
let publishMs: number[] = [];

async function publish(bus: EventBus, userId: string) {
  const now = Date.now();
  const started = performance.now();
  await bus.publish([
    meshEvent(
      'attention.recorded',
      { __typename: 'User', id: userId },
      { events: 1, impressions: 1, clicks: 0, engagedMs: 0, targets: [], placements: [], lastEventAt: now },
      { userId },
    ),
  ]);
  publishMs.push(performance.now() - started);
}

// ---------------------------------------------------------------------------------------------------

async function main() {
  if (!gc) progress('run with node --expose-gc for exact memory figures (npm run bench:subscriptions does)');
  const load = loadavg();
  const db = await startDatabase('subscriptions');
  const subgraphs = await startSubgraphs(db.uri, { dbPrefix: 'bench_subscriptions' });
  const results: RunResult[] = [];
  const skipped: { bus: string; why: string }[] = [];
  try {
    // Users, created through a gateway (anonymous sign-up), one per subscribed user id.
    const { loadGatewayConfig } =
      await importFromRepo<typeof import('../../gateway/dist/config.js')>('gateway/dist/config.js');
    const setup = await startGateway(
      loadGatewayConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        PORT: '0',
        WATCH_SUPERGRAPH: 'false',
        RATE_LIMIT_ENABLED: 'false',
        SUBSCRIPTIONS_ENABLED: 'false',
        ...Object.fromEntries(SUBGRAPHS.map((n) => [`SUBGRAPH_${n.toUpperCase()}_URL`, subgraphs.urls[n]!])),
      }),
      { logger: stderrLogger('setup') },
    );
    const users: string[] = [];
    progress(`creating ${args.users} users`);
    for (let i = 0; i < args.users; i++) {
      const id = `usr-bench-sub-${String(i + 1).padStart(4, '0')}`;
      const res = await fetch(setup.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
          variables: { i: { id, displayName: `Bench subscriber ${i + 1}` } },
        }),
      });
      const body = (await res.json()) as { data?: { createUser?: { id: string } }; errors?: unknown[] };
      if (!body.data?.createUser) throw new Error(`createUser failed: ${JSON.stringify(body.errors)}`);
      users.push(id);
    }
    await setup.stop();

    for (const name of buses) {
      const adapter = ADAPTERS[name];
      if (!adapter) {
        skipped.push({
          bus: name,
          why: 'unknown adapter',
        });
        progress(`[${name}] skipped: ${skipped.at(-1)?.why}`);
        continue;
      }
      results.push(await runAdapter(name, adapter, db.uri, subgraphs.urls, users));
    }
  } finally {
    await subgraphs.stop();
    await db.stop();
  }

  const rows = results.map((r) => [
    r.bus,
    `${r.note}, ${r.publishedPerSecond} events/s`,
    r.subscribers,
    `${r.received}/${r.expected}`,
    r.errors,
    r.latencyMs.p50,
    r.latencyMs.p90,
    r.latencyMs.p99,
    r.latencyMs.max,
    `${r.publishMs.p50} / ${r.publishMs.p99}`,
    `${r.busMs.p50} / ${r.busMs.p99}`,
    `${r.gatewayMs.p50} / ${r.gatewayMs.p99}`,
    `<= ${r.target}`,
    r.latencyMs.p99 <= r.target ? 'met' : 'MISSED',
    fmt(r.memoryPerSubscriber.heapBytes / 1024, 1),
    fmt(r.memoryPerSubscriber.rssBytes / 1024, 1),
  ]);
  for (const s of skipped)
    rows.push([
      s.bus,
      s.why,
      '-',
      '-',
      '-',
      '-',
      '-',
      '-',
      '-',
      '-',
      `<= ${TARGETS[s.bus] ?? '?'}`,
      '-',
      '-',
      '-',
    ]);
  process.stdout.write(
    `\nEvent published -> resolved payload (attentionChanged { at user { id${args.bare === 1 ? '' : ' displayName'} } }), ${args.subscribers} graphql-ws subscribers over ${args.users} users, ${args.events} events at ${args.rate}/s (${db.kind}; load ${load.map((l) => l.toFixed(2)).join(' ')})\n\n`,
  );
  process.stdout.write(
    `${table(
      [
        'bus',
        'adapter settings',
        'subscribers',
        'payloads',
        'errors',
        'p50 ms',
        'p90 ms',
        'p99 ms',
        'max ms',
        'publish p50/p99 ms',
        'to gateway p50/p99',
        'in gateway p50/p99',
        'target p99',
        '',
        'heap KiB/sub',
        'RSS KiB/sub',
      ],
      rows,
    )}\n`,
  );
  const file = writeResults('gateway-subscriptions.json', {
    args,
    buses,
    database: db.kind,
    loadAtStart: load,
    loadAtEnd: loadavg(),
    results,
    skipped,
  });
  progress(`results in ${file}`);
}

await main();
