import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { type NatsServer, startNatsServer } from '../../../testkit/src/natsServer.js';
import {
  type EventBus,
  type MeshEvent,
  MongoEventBus,
  NatsEventBus,
  newEventId,
} from '../../src/events/index.js';
import { connectMongo } from '../../src/mongo.js';

/** Fast settings for tests: quick polls and retries. */
export const FAST = { pollIntervalMs: 10, idlePollIntervalMs: 20, retryMinMs: 10, retryMaxMs: 40 } as const;

/** One adapter under test: opens buses on one fresh bus (`name`) or a new one, and cleans up. */
export interface BusAdapter {
  readonly kind: 'mongo' | 'nats';
  setup(mongoUri: string): Promise<void>;
  /** A bus instance on bus `name` (a new one when omitted): another process, for the same name. */
  open(opts?: {
    name?: string;
    logger?: Logger;
    maxAttempts?: number;
  }): Promise<{ bus: EventBus; name: string }>;
  /** Closes every bus it opened and drops what they stored. */
  cleanup(): Promise<void>;
  teardown(): Promise<void>;
}

export function mongoAdapter(logger: Logger): BusAdapter {
  let uri = '';
  let admin: Connection | undefined;
  const opened: EventBus[] = [];
  const names = new Set<string>();
  return {
    kind: 'mongo',
    async setup(mongoUri) {
      uri = mongoUri;
      admin = await connectMongo({ uri, dbName: 'admin', logger });
    },
    async open(opts = {}) {
      const name = opts.name ?? `t_bus_${randomBytes(4).toString('hex')}`;
      names.add(name);
      const bus = await MongoEventBus.connect({
        uri,
        dbName: name,
        logger: opts.logger ?? logger,
        ...FAST,
        ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}),
      });
      opened.push(bus);
      return { bus, name };
    },
    async cleanup() {
      await Promise.all(opened.splice(0).map((b) => b.close()));
      for (const n of names) await admin!.useDb(n, { useCache: false }).dropDatabase();
      names.clear();
    },
    async teardown() {
      await admin?.close();
    },
  };
}

export function natsAdapter(logger: Logger): BusAdapter {
  let server: NatsServer | undefined;
  const opened: EventBus[] = [];
  return {
    kind: 'nats',
    async setup() {
      server = await startNatsServer();
    },
    async open(opts = {}) {
      const name = opts.name ?? `t_${randomBytes(4).toString('hex')}`;
      const bus = await NatsEventBus.connect({
        url: server!.url,
        stream: name,
        logger: opts.logger ?? logger,
        ...FAST,
        ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}),
      });
      opened.push(bus);
      return { bus, name };
    },
    async cleanup() {
      await Promise.all(opened.splice(0).map((b) => b.close()));
    },
    async teardown() {
      await server?.stop();
    },
  };
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * An envelope with a test payload, built by hand: these tests are about the bus, which carries any
 * payload (`meshEvent` would check it against the catalog).
 */
export const ev = (type: string, n: number, userId?: string, keyId = `u${n}`): MeshEvent => ({
  id: newEventId(),
  type,
  occurredAt: Date.now(),
  key: { __typename: 'User', id: keyId },
  data: { n },
  ...(userId ? { userId } : {}),
});

/** A handler that records what it gets. */
export function recorder() {
  const got: MeshEvent[] = [];
  return {
    got,
    ns: () => got.map((e) => (e.data as { n: number }).n),
    handler: async (e: MeshEvent) => void got.push(e),
  };
}
