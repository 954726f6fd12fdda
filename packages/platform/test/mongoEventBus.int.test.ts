import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { startNatsServer } from '../../testkit/src/natsServer.js';
import { loadConfig } from '../src/config.js';
import { createEventBus, MongoEventBus, NatsEventBus } from '../src/events/index.js';
import { connectMongo } from '../src/mongo.js';
import { ev, FAST, pause, recorder, waitFor } from './support/buses.js';

const logger = pino({ level: 'silent' });
let admin: Connection;
const opened: MongoEventBus[] = [];
const dbs = new Set<string>();
beforeAll(async () => {
  admin = await connectMongo({ uri: inject('mongoUri'), dbName: 'admin', logger });
});
afterAll(() => admin?.close());
afterEach(async () => {
  await Promise.all(opened.splice(0).map((b) => b.close()));
  for (const dbName of dbs) await admin.useDb(dbName, { useCache: false }).dropDatabase();
  dbs.clear();
});

async function bus(opts: { dbName?: string; pollIntervalMs?: number; monitorCommands?: boolean } = {}) {
  const dbName = opts.dbName ?? `t_bus_${randomBytes(4).toString('hex')}`;
  dbs.add(dbName);
  const b = await MongoEventBus.connect({
    uri: inject('mongoUri'),
    logger,
    ...FAST,
    ...(opts.pollIntervalMs ? { idlePollIntervalMs: opts.pollIntervalMs } : {}),
    ...opts,
    dbName,
  });
  opened.push(b);
  return { bus: b, dbName };
}

/** The `find` commands a bus connection sends: collection and filter. */
function finds(b: MongoEventBus) {
  const seen: { collection: string; filter: Record<string, unknown> }[] = [];
  b.connection
    .getClient()
    .on('commandStarted', (e: { commandName: string; command: Record<string, unknown> }) => {
      if (e.commandName === 'find')
        seen.push({
          collection: String(e.command.find),
          filter: e.command.filter as Record<string, unknown>,
        });
    });
  return seen;
}

describe('MongoEventBus on the embedded database', () => {
  it('polls an idle log with one exact `_id` read per interval, shared by the consumers of a process; the events are never read', async () => {
    const { bus: b } = await bus({ pollIntervalMs: 25, monitorCommands: true });
    const seen = finds(b);
    const rs = [recorder(), recorder(), recorder()];
    await Promise.all(
      rs.map((r, i) => b.subscribe(`idle-${i}`, ['ad.click', 'user.erased'], r.handler).ready),
    );
    await b.publish([ev('ad.click', 1)]);
    await waitFor(() => rs.every((r) => r.got.length === 1));
    seen.length = 0;
    await pause(500);
    const idle = [...seen];
    // Reads while idle: by exact `_id` only, of the log (the next slot) and, once per consumer after
    // its last delivery, of the tail document; never the events or any other filter.
    expect(idle.filter((f) => f.collection !== 'log' && f.collection !== 'bus_meta')).toEqual([]);
    expect(idle.filter((f) => f.collection === 'bus_meta').length).toBeLessThanOrEqual(rs.length);
    for (const f of idle) expect(Object.keys(f.filter)).toEqual(['_id']);
    // A string `_id`: the embedded database indexes exact string ids only.
    for (const f of idle.filter((x) => x.collection === 'log')) expect(f.filter._id).toMatch(/^s\d{12}$/);
    // About one per interval for the three consumers together (not three).
    const logReads = idle.filter((f) => f.collection === 'log').length;
    expect(logReads).toBeGreaterThan(5);
    expect(logReads).toBeLessThan(500 / 25 + 5);
    // Then a publish from another process is read by exact `_id` too.
    const { bus: other } = await bus({ dbName: b.connection.name });
    await other.publish([ev('ad.click', 2)]);
    await waitFor(() => rs.every((r) => r.got.length === 2));
    expect(seen.filter((f) => f.collection === 'events')).toEqual([]);
  });

  it('wakes consumers of the publishing process at once, without waiting for a poll', async () => {
    const { bus: b } = await bus({ pollIntervalMs: 60_000 });
    const r = recorder();
    await b.subscribe('woken', ['model.updated'], r.handler).ready;
    await b.publish([ev('model.updated', 1)]);
    // A poll would come in a minute; the in-process wake-up delivers now.
    await waitFor(() => r.got.length === 1, 3_000);
  });

  it('keeps the log gap-free and every event with concurrent publishers in several processes', async () => {
    const { bus: reader, dbName } = await bus();
    const publishers = await Promise.all([1, 2, 3, 4].map(() => bus({ dbName })));
    const r = recorder();
    await reader.subscribe('all', ['attention.recorded'], r.handler).ready;
    await Promise.all(
      publishers.map(async ({ bus: p }, k) => {
        for (let i = 0; i < 10; i++)
          await Promise.all(
            [0, 1, 2].map((j) => p.publish([ev('attention.recorded', k * 1000 + i * 10 + j)])),
          );
      }),
    );
    await waitFor(() => r.got.length === 120, 15_000);
    await pause(100);
    const ns = r.ns();
    expect(new Set(ns).size).toBe(120);
    // Each publisher's sequential publishes keep their order.
    for (let k = 0; k < 4; k++) {
      const mine = ns.filter((n) => Math.floor(n / 1000) === k).map((n) => Math.floor((n % 1000) / 10));
      expect(mine).toEqual([...mine].sort((a, b) => a - b));
    }
    const slots = await reader.connection
      .db!.collection<{ _id: string; n: number }>('log')
      .find({})
      .sort({ _id: 1 })
      .toArray();
    expect(slots.map((s) => s.n)).toEqual(slots.map((_, i) => i + 1));
  });

  it('sweeps slots past retention that every consumer passed; a lagging consumer holds them back', async () => {
    const { bus: b } = await bus({ pollIntervalMs: 10 });
    const log = b.connection.db!.collection<{ _id: string; n: number; at: number }>('log');
    let stuck = true;
    const lagging = b.subscribe(
      'lagging',
      ['user.erased'],
      async () => {
        if (stuck) throw new Error('stuck');
      },
      { maxAttempts: Number.POSITIVE_INFINITY },
    );
    const r = recorder();
    const healthy = b.subscribe('healthy', ['ad.click'], r.handler);
    await Promise.all([lagging.ready, healthy.ready]);
    await b.publish([ev('ad.click', 1)]);
    await b.publish([ev('user.erased', 2)]);
    await b.publish([ev('ad.click', 3)]);
    await b.publish([ev('ad.click', 4)]);
    await waitFor(() => r.got.length === 3);
    await lagging.stop();
    await healthy.stop();
    // Age the slots by a day.
    await log.updateMany({}, { $inc: { at: -24 * 60 * 60 * 1000 } });
    await pause(600); // the tail document is written at most twice a second
    // `lagging` has passed slot 1 only.
    expect(await b.sweep(60 * 60 * 1000)).toBe(1);
    await b.removeConsumer('lagging');
    // The newest slot (the tail) always stays.
    expect(await b.sweep(60 * 60 * 1000)).toBe(2);
    expect((await log.find({}).toArray()).map((s) => s.n)).toEqual([4]);
    stuck = false;
    // A new consumer starts at the oldest slot still stored.
    const late = recorder();
    await b.subscribe('late', ['ad.click'], late.handler).ready;
    await waitFor(() => late.got.length === 1);
    expect(late.ns()).toEqual([4]);
  });
});

describe('createEventBus', () => {
  it('opens the adapter the config names', async () => {
    const nats = await startNatsServer();
    try {
      const mongoConfig = loadConfig('users', {
        MONGODB_URI: inject('mongoUri'),
        EVENT_BUS_DB: 't_bus_create',
      });
      const m = await createEventBus(mongoConfig, logger, { sweep: false });
      expect(m).toBeInstanceOf(MongoEventBus);
      await m.close();
      await admin.useDb('t_bus_create', { useCache: false }).dropDatabase();
      const natsConfig = loadConfig('gateway', {
        EVENT_BUS: 'nats',
        NATS_URL: nats.url,
        NATS_STREAM: 't_create',
      });
      const n = await createEventBus(natsConfig, logger);
      expect(n).toBeInstanceOf(NatsEventBus);
      const r = recorder();
      await n.subscribe('gateway-live', ['ad.click'], r.handler, { ephemeral: true }).ready;
      await n.publish([ev('ad.click', 1)]);
      await waitFor(() => r.got.length === 1);
      await n.close();
    } finally {
      await nats.stop();
    }
  });
});
