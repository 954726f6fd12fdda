/**
 * Shared by the attention benchmarks: the database (MONGODB_URI or a private embedded one), the mesh
 * started in-process, a deterministic event generator, a driver command monitor, CPU sampling and
 * reporting. Progress goes to stderr; tables to stdout.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { adsSubgraph } from '@attention-mesh/ads-subgraph';
import { attentionSubgraph } from '@attention-mesh/attention-subgraph';
import { feedbackSubgraph } from '@attention-mesh/feedback-subgraph';
import { type RunningGateway, startGateway } from '@attention-mesh/gateway';
import { signDevelopmentToken } from '@attention-mesh/mesh';
import {
  type AnySubgraphDefinition,
  type Caller,
  connectMongo,
  DEFAULT_EVENT_RETENTION_MS,
  DEV_INTERNAL_SECRET,
  INTERNAL_CONTEXT_HEADER,
  loadConfig,
  MongoEventBus,
  type RunningSubgraph,
  type ServiceName,
  seededRandom,
  signInternalContext,
  startSubgraph,
} from '@attention-mesh/platform';
import { recommendationSubgraph } from '@attention-mesh/recommendation-subgraph';
import { usersSubgraph } from '@attention-mesh/users-subgraph';
import type { Connection } from 'mongoose';
// Types only (erased): the event input as the attention subgraph validates it.
import type { AttentionEventInput } from '../../subgraphs/attention/dist/ingest/eventRules.js';

import { numericArgs } from '../shared/args.js';
import { type BenchDatabase, startDatabase } from '../shared/database.js';
import { latencySummary, percentile } from '../shared/latency.js';
import { fmt, progress, round, stderrLogger, table } from '../shared/output.js';
import { importFromRepo, REPO_ROOT, writeResults } from '../shared/repo.js';

export type { AttentionEventInput, BenchDatabase };
export {
  fmt,
  importFromRepo,
  latencySummary,
  numericArgs,
  percentile,
  progress,
  REPO_ROOT,
  round,
  startDatabase,
  stderrLogger,
  table,
  writeResults,
};

// ---------------------------------------------------------------------------------------------------
// Statistics

/** Runs `task(i)` for i in 0..count-1 with at most `concurrency` in flight. */
export async function pool(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
}

// ---------------------------------------------------------------------------------------------------
// CPU: this process and the embedded database's

const CLK_TCK = 100;

function procCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of /proc/<pid>/stat (1-based), i.e. 11 and 12 after the name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}

export interface CpuSample {
  wallMs: number;
  nodeCpuMs: number;
  dbCpuMs: number | null;
}

/** CPU time used by this Node process (client, gateway and subgraphs) and the database process. */
export function cpuMeter(dbPid: number | undefined) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const d0 = dbPid ? procCpuMs(dbPid) : null;
  return (): CpuSample => {
    const c = process.cpuUsage(c0);
    const d1 = dbPid ? procCpuMs(dbPid) : null;
    return {
      wallMs: round(performance.now() - t0),
      nodeCpuMs: round((c.user + c.system) / 1000),
      dbCpuMs: d0 !== null && d1 !== null ? round(d1 - d0) : null,
    };
  };
}

// ---------------------------------------------------------------------------------------------------
// Driver command monitor

interface StartedEvent {
  requestId: number;
  commandName: string;
  command: Record<string, unknown>;
}
interface EndedEvent {
  requestId: number;
  duration: number;
}

export interface CommandStat {
  count: number;
  /** Summed driver-side durations (they overlap under concurrency). */
  ms: number;
  /** Documents sent: inserts' documents, updates' and deletes' statements. */
  ops: number;
}

/**
 * Counts the commands a connection sends (opened with `monitorCommands`), by `command collection`,
 * with their summed durations and operation counts.
 */
export class CommandMonitor {
  private inFlight = new Map<number, string>();
  private stats = new Map<string, CommandStat>();
  private readonly client;

  constructor(conn: Connection) {
    this.client = conn.getClient();
    this.client.on('commandStarted', this.onStarted);
    this.client.on('commandSucceeded', this.onEnded);
    this.client.on('commandFailed', this.onEnded);
  }

  private onStarted = (e: StartedEvent) => {
    const target = e.commandName === 'getMore' ? e.command.collection : e.command[e.commandName];
    const key = `${e.commandName} ${typeof target === 'string' ? target : '-'}`;
    this.inFlight.set(e.requestId, key);
    const s = this.stat(key);
    s.count++;
    for (const field of ['documents', 'updates', 'deletes']) {
      const list = e.command[field];
      if (Array.isArray(list)) s.ops += list.length;
    }
  };

  private onEnded = (e: EndedEvent) => {
    const key = this.inFlight.get(e.requestId);
    if (key === undefined) return;
    this.inFlight.delete(e.requestId);
    this.stat(key).ms += e.duration;
  };

  private stat(key: string): CommandStat {
    let s = this.stats.get(key);
    if (!s) {
      s = { count: 0, ms: 0, ops: 0 };
      this.stats.set(key, s);
    }
    return s;
  }

  reset(): void {
    this.stats = new Map();
  }

  snapshot(filter: (key: string) => boolean = () => true): Record<string, CommandStat> {
    return Object.fromEntries(
      [...this.stats]
        .filter(([k]) => filter(k))
        .sort((a, b) => b[1].ms - a[1].ms)
        .map(([k, s]) => [k, { count: s.count, ms: round(s.ms), ops: s.ops }]),
    );
  }

  stop(): void {
    this.client.off('commandStarted', this.onStarted);
    this.client.off('commandSucceeded', this.onEnded);
    this.client.off('commandFailed', this.onEnded);
  }
}

// ---------------------------------------------------------------------------------------------------
// The database and the mesh

const DEFINITIONS = {
  users: usersSubgraph,
  attention: attentionSubgraph,
  recommendation: recommendationSubgraph,
  ads: adsSubgraph,
  feedback: feedbackSubgraph,
} as const;
type SubgraphName = keyof typeof DEFINITIONS;

export interface Mesh {
  gateway: RunningGateway;
  subgraphs: Partial<Record<SubgraphName, RunningSubgraph<unknown>>>;
  attention: RunningSubgraph<import('../../subgraphs/attention/dist/runtime.js').AttentionRuntime>;
  /** The event bus every subgraph shares, on a connection of its own (command monitoring on). */
  bus: { connection: Connection };
  /** The database names used (dropped by `stop` when the server is not a private one). */
  databases: string[];
  stop(): Promise<void>;
}

/**
 * Starts the named subgraphs in-process (attention always; command monitoring on, one shared event bus,
 * fresh databases) and the gateway over the checked-in supergraph. Subgraphs not started
 * point at a closed port, so a query that needs them fails instead of reaching another mesh.
 */
export async function startMesh(db: BenchDatabase, names: SubgraphName[]): Promise<Mesh> {
  const tag = randomBytes(3).toString('hex');
  const busDbName = `bench_bus_${tag}`;
  const databases = [busDbName];
  const subgraphs: Mesh['subgraphs'] = {};
  // As startSubgraph would open it, but one for all, on a monitored connection (to see its polls).
  const busLogger = stderrLogger('bus');
  const busConnection = await connectMongo({
    uri: db.uri,
    dbName: busDbName,
    logger: busLogger,
    monitorCommands: true,
  });
  const bus = await MongoEventBus.fromConnection(busConnection, {
    logger: busLogger,
    sweep: { olderThanMs: DEFAULT_EVENT_RETENTION_MS, everyMs: 5 * 60 * 1000 },
  });
  for (const name of new Set<SubgraphName>(['attention', ...names])) {
    const def: AnySubgraphDefinition = DEFINITIONS[name];
    const config = loadConfig(
      name as ServiceName,
      {
        NODE_ENV: 'test',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
        PORT: '0',
        MONGODB_URI: db.uri,
        MONGODB_DB: `bench_${name}_${tag}`,
        // The attention settings given to the benchmark (e.g. ATTENTION_SINGLE_WRITER=false) apply.
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('ATTENTION_'))),
      },
      def.config,
    );
    databases.push(config.mongo.dbName);
    subgraphs[name] = (await startSubgraph(def, config, {
      monitorCommands: true,
      events: bus,
      logger: stderrLogger(name),
    })) as RunningSubgraph<unknown>;
  }
  const { loadGatewayConfig } =
    await importFromRepo<typeof import('../../gateway/dist/config.js')>('gateway/dist/config.js');
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    PORT: '0',
    WATCH_SUPERGRAPH: 'false',
  };
  for (const name of Object.keys(DEFINITIONS) as SubgraphName[]) {
    env[`SUBGRAPH_${name.toUpperCase()}_URL`] = subgraphs[name]?.url ?? 'http://127.0.0.1:9/graphql';
  }
  const gateway = await startGateway(loadGatewayConfig(env), { logger: stderrLogger('gateway') });
  progress(`mesh up: gateway ${gateway.url}; subgraphs ${Object.keys(subgraphs).join(', ')}`);
  const attention = subgraphs.attention as Mesh['attention'];
  return {
    gateway,
    subgraphs,
    attention,
    bus: { connection: busConnection },
    databases,
    stop: async () => {
      await gateway.stop();
      if (db.kind === 'MongoDB (MONGODB_URI)') {
        for (const name of databases) {
          await attention.connection
            .useDb(name, { useCache: false })
            .dropDatabase()
            .catch(() => {});
        }
      }
      await Promise.all(Object.values(subgraphs).map((s) => s.stop()));
      await bus.close();
      await busConnection.close();
    },
  };
}

export interface GraphQLResult<T> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/**
 * An admin's bearer token for the gateway the benchmark starts (it runs with the development JWT
 * secret): the benchmarks create users and items and read everyone's attention.
 */
export async function gatewayHeaders(): Promise<Record<string, string>> {
  const token = await signDevelopmentToken({ sub: 'usr-bench-admin', scope: 'admin', ttl: '12h' });
  return { authorization: `Bearer ${token}` };
}

/** An admin, as the benchmarks act when they call a subgraph directly. */
export const BENCH_ADMIN: Caller = { userId: 'usr-bench-admin', scopes: ['admin'] };

/**
 * The signed internal context a direct call to a subgraph of the mesh needs (the subgraphs started here
 * run with the development secret), as the gateway would sign it: fresh for each request, since a
 * context is valid for the length of one request only.
 */
export function subgraphHeaders(caller: Caller = BENCH_ADMIN): Record<string, string> {
  return { [INTERNAL_CONTEXT_HEADER]: signInternalContext(caller, DEV_INTERNAL_SECRET) };
}

export async function gql<T>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  timeoutMs?: number,
  headers: Record<string, string> = {},
): Promise<GraphQLResult<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
    signal: timeoutMs ? AbortSignal.timeout(timeoutMs) : null,
  });
  const body = (await res.json()) as GraphQLResult<T>;
  if (!res.ok && !body.errors) throw new Error(`HTTP ${res.status} from ${url}`);
  return body;
}

// ---------------------------------------------------------------------------------------------------
// A deterministic world of behaviour events

export const CATEGORIES = [
  'news',
  'sports',
  'tech',
  'business',
  'culture',
  'science',
  'health',
  'travel',
  'food',
  'gaming',
  'music',
  'film',
] as const;
const DEVICES = ['desktop', 'mobile', 'mobile', 'tablet', 'tv'] as const;
const COUNTRIES = ['FR', 'DE', 'GB', 'US', 'ES', 'IT', 'BR', 'JP'] as const;
const VIEWPORTS = {
  desktop: { width: 1440, height: 900 },
  mobile: { width: 390, height: 844 },
  tablet: { width: 820, height: 1180 },
  tv: { width: 1920, height: 1080 },
} as const;

export interface WorldOptions {
  users: number;
  items: number;
  categories: number;
  seed: number;
  /** Exactly this many events. */
  events: number;
  /** Sessions start from `from` to `to` (epoch ms), in order, as a live stream would. */
  from: number;
  to: number;
  /** Share of sessions by people who are not signed in (anonymousId, no userId). */
  anonymousShare?: number;
}

export const userId = (i: number) => `u-${i}`;
export const itemId = (i: number) => `itm-${i}`;
export const categoryOf = (item: number, categories: number) => CATEGORIES[item % categories]!;

/**
 * Sessions of views, each view an IMPRESSION, one to three VIEW_SEGMENTs, a few ACTIVITYs, a
 * SCROLL_DEPTH, sometimes a CLICK, usually a PAGE_EXIT (about 7 events a view, 1-6 views a session).
 * Users and items are picked with a skew (a few heavy users, popular items). Ids are unique per seed.
 */
export function* worldEvents(o: WorldOptions): Generator<AttentionEventInput> {
  const r = seededRandom(o.seed);
  const categories = Math.max(1, Math.min(o.categories, CATEGORIES.length));
  const anonymousShare = o.anonymousShare ?? 0.05;
  const userDevice = (u: number) => DEVICES[(u * 7 + 3) % DEVICES.length]!;
  const userCountry = (u: number) => COUNTRIES[(u * 5 + 1) % COUNTRIES.length]!;
  const prefix = `b${o.seed.toString(36)}`;
  let emitted = 0;
  let session = 0;
  let view = 0;
  const span = o.to - o.from;
  while (emitted < o.events) {
    session++;
    const anonymous = r.chance(anonymousShare);
    const u = Math.min(o.users - 1, Math.floor(o.users * r.next() ** 1.6));
    const device = anonymous ? r.pick(DEVICES) : userDevice(u);
    const who = anonymous ? { anonymousId: `anon-${r.int(1, o.users * 5)}` } : { userId: userId(u) };
    let t = Math.floor(o.from + (emitted / o.events) * span + r.next() * 60_000);
    const views = r.int(1, 6);
    for (let v = 0; v < views && emitted < o.events; v++) {
      view++;
      const item = Math.min(o.items - 1, Math.floor(o.items * r.next() ** 2));
      const base = {
        ...who,
        sessionId: `${prefix}-s${session}`,
        impressionId: `${prefix}-v${view}`,
        target: { type: 'ITEM', id: itemId(item) },
        category: categoryOf(item, categories),
        device,
        country: anonymous ? r.pick(COUNTRIES) : userCountry(u),
        media: 'DISPLAY',
        viewport: VIEWPORTS[device],
      };
      const batch: AttentionEventInput[] = [];
      const at = (type: string, extra: Partial<AttentionEventInput> = {}) =>
        batch.push({
          ...base,
          clientId: `${prefix}-e${emitted + batch.length}`,
          type,
          occurredAt: t,
          ...extra,
        });
      at('IMPRESSION');
      for (let s = r.int(1, 3); s > 0; s--) {
        const durationMs = r.int(300, 15_000);
        at('VIEW_SEGMENT', { durationMs, visibleFraction: round(0.2 + r.next() * 0.8, 2) });
        t += r.int(200, 3_000);
      }
      for (let a = r.int(0, 4); a > 0; a--) {
        t += r.int(500, 8_000);
        at('ACTIVITY');
      }
      t += r.int(200, 2_000);
      at('SCROLL_DEPTH', { scrollDepth: round(r.next(), 2) });
      if (r.chance(0.12)) {
        t += r.int(100, 1_500);
        at('CLICK');
      }
      if (r.chance(0.8)) {
        t += r.int(500, 20_000);
        at('PAGE_EXIT');
      }
      for (const e of batch) {
        if (emitted >= o.events) break;
        emitted++;
        yield e;
      }
      t += r.int(2_000, 30_000);
    }
  }
}
