import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Caller,
  type ConfigSection,
  DEV_INTERNAL_SECRET,
  INTERNAL_CONTEXT_HEADER,
  loadConfig,
  type RunningSubgraph,
  type ServiceConfig,
  type ServiceName,
  type SubgraphDefinition,
  signInternalContext,
  startSubgraph,
} from '@attention-mesh/platform';
import type { Connection } from 'mongoose';

export { type NatsServer, startNatsServer } from './natsServer.js';
export { waitFor } from './waitFor.js';

/**
 * A config for a service under test: its own fresh database on the shared test server, a free port;
 * with the service's own `section` (its `src/config.ts`) when given.
 */
export function testConfig<T extends object = Record<never, never>>(
  service: ServiceName,
  mongoUri: string,
  env: Record<string, string> = {},
  section?: ConfigSection<T>,
): ServiceConfig & T {
  return loadConfig(
    service,
    {
      NODE_ENV: 'test',
      PORT: '0',
      MONGODB_URI: mongoUri,
      MONGODB_DB: `t_${service}_${randomBytes(4).toString('hex')}`,
      // An empty model registry: what a developer trained locally must not change test results.
      MODELS_DIR: mkdtempSync(join(tmpdir(), 'mesh-models-')),
      // No exploration in the logging policies unless a test asks for it: decisions stay deterministic.
      ADS_EXPLORATION_EPSILON: '0',
      REC_EXPLORATION_EPSILON: '0',
      // Production's metrics port would be 9464 for every service of the run: a free one each.
      ...(env.NODE_ENV === 'production' ? { METRICS_PORT: '0' } : {}),
      ...env,
    },
    section,
  );
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** POSTs one operation, like a client would. */
export async function gql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Omit<GraphQLResponse<T>, 'status'>;
  return { status: res.status, ...body };
}

/** The error codes of a response, in order. */
export function errorCodes(res: GraphQLResponse<unknown>): unknown[] {
  return (res.errors ?? []).map((e) => e.extensions?.code);
}

/** `[code, field]` of each error, in order (`field` names the offending input, e.g. `input.url`). */
export function errorFields(res: GraphQLResponse<unknown>): unknown[][] {
  return (res.errors ?? []).map((e) => [e.extensions?.code, e.extensions?.field]);
}

/**
 * Counts the database commands a connection sends (it must be opened with `monitorCommands`), by
 * command name and collection, e.g. `count('find', 'users')`.
 */
export function commandCounter(conn: Connection) {
  const seen: { name: string; collection: unknown }[] = [];
  const client = conn.getClient();
  const listener = (e: { commandName: string; command: Record<string, unknown> }) => {
    seen.push({ name: e.commandName, collection: e.command[e.commandName] });
  };
  client.on('commandStarted', listener);
  return {
    count: (name: string, collection?: string) =>
      seen.filter((c) => c.name === name && (collection === undefined || c.collection === collection)).length,
    reset: () => {
      seen.length = 0;
    },
    stop: () => {
      client.off('commandStarted', listener);
    },
  };
}

/**
 * Starts a subgraph in-process on a free port with a fresh database and a fresh event bus database
 * (command monitoring on). Subgraphs that must share a bus get the same `busDbName` (the caller then
 * drops it). `stop()` stops it and drops its databases.
 */
export async function startTestSubgraph<TRuntime, TContext extends object, TSection extends object>(
  def: SubgraphDefinition<TRuntime, TContext, TSection>,
  mongoUri: string,
  opts: { busDbName?: string; env?: Record<string, string> } = {},
): Promise<RunningSubgraph<TRuntime>> {
  const busDbName = opts.busDbName ?? `t_bus_${randomBytes(4).toString('hex')}`;
  const running = await startSubgraph(def, testConfig(def.name, mongoUri, opts.env, def.config), {
    monitorCommands: true,
    busDbName,
  });
  return {
    ...running,
    stop: async () => {
      await running.connection.dropDatabase().catch(() => {});
      if (!opts.busDbName)
        await running.connection
          .useDb(busDbName, { useCache: false })
          .dropDatabase()
          .catch(() => {});
      await running.stop();
    },
  };
}

/**
 * Headers that make a direct call to a subgraph under test act for `caller`, as the gateway would sign
 * them (test services use the development internal secret).
 */
export function callerHeaders(caller: Caller, secret = DEV_INTERNAL_SECRET): Record<string, string> {
  return { [INTERNAL_CONTEXT_HEADER]: signInternalContext(caller, secret) };
}

/** Callers for direct subgraph tests. */
export const TEST_CALLERS = {
  admin: { userId: 'usr-admin', scopes: ['admin'] },
  analyst: { userId: 'usr-analyst', scopes: ['analytics:read'] },
  person: (userId: string): Caller => ({ userId, scopes: [] }),
  advertiser: (advertiserId: string, userId = 'usr-adv-member'): Caller => ({
    userId,
    advertiserId,
    scopes: ['ads:write'],
  }),
  publisher: (partnerId: string, scopes = ['ads:request', 'events:write'], userId?: string): Caller => ({
    partnerId,
    apiKeyId: `key-${partnerId}`,
    scopes,
    ...(userId ? { userId } : {}),
  }),
} satisfies Record<string, Caller | ((...args: never[]) => Caller)>;

/** Fresh admin headers for direct subgraph calls that set up data. */
export const adminHeaders = (): Record<string, string> => callerHeaders(TEST_CALLERS.admin);
