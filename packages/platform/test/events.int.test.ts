import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  eventIdFloor,
  eventIdTime,
  type MeshEvent,
  MongoEventBus,
  type MongoEventBusOptions,
  newEventId,
} from '../src/events/index.js';
import { newId } from '../src/ids.js';
import { connectMongo } from '../src/mongo.js';

const logger = pino({ level: 'silent' });
/**
 * Fast settings for tests: polls and retries are quick, the settle window short but with room for a
 * slow insert while the whole suite runs in parallel (an insert slower than it could be skipped).
 */
const FAST = { settleMs: 150, pollIntervalMs: 10, retryMinMs: 10, retryMaxMs: 40, fullPollMs: 50 } as const;

const opened: MongoEventBus[] = [];
const dbs = new Set<string>();
/** Drops the test databases. */
let admin: Connection;
beforeAll(async () => {
  admin = await connectMongo({ uri: inject('mongoUri'), dbName: 'admin', logger });
});
afterAll(() => admin?.close());

async function bus(opts: Partial<MongoEventBusOptions> & { dbName?: string } = {}) {
  const dbName = opts.dbName ?? `t_bus_${randomBytes(4).toString('hex')}`;
  dbs.add(dbName);
  const b = await MongoEventBus.connect({ uri: inject('mongoUri'), dbName, logger, ...FAST, ...opts });
  opened.push(b);
  return { bus: b, dbName };
}

afterEach(async () => {
  await Promise.all(opened.map((b) => b.close()));
  for (const dbName of dbs) await admin.useDb(dbName, { useCache: false }).dropDatabase();
  opened.length = 0;
  dbs.clear();
});

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The bus's `events` collection, for inserting what `publish` would refuse. */
const rawEvents = (b: MongoEventBus) =>
  b.connection.db!.collection<{ _id: string } & Record<string, unknown>>('events');

/**
 * An envelope with a test payload, built by hand: these tests are about the bus, which carries any
 * payload (`meshEvent` would check it against the catalog).
 */
const ev = (type: string, n: number, userId?: string): MeshEvent => ({
  id: newEventId(),
  type,
  occurredAt: Date.now(),
  key: { __typename: 'User', id: `u${n}` },
  data: { n },
  ...(userId ? { userId } : {}),
});

/** A handler that records what it gets. */
function recorder() {
  const got: MeshEvent[] = [];
  return {
    got,
    ns: () => got.map((e) => (e.data as { n: number }).n),
    handler: async (e: MeshEvent) => void got.push(e),
  };
}

describe('event ids', () => {
  it('are time-sortable and strictly increasing within a process, even in one millisecond', () => {
    const now = Date.now();
    const ids = Array.from({ length: 1000 }, () => newEventId(now));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(eventIdTime(ids[0]!)).toBe(now);
    expect(eventIdTime(newId('evt', now))).toBe(now);
    expect(eventIdTime('usr_123')).toBeNull();
    expect(eventIdFloor(now) < ids[0]!).toBe(true);
    expect(eventIdFloor(now + 1) > ids.at(-1)!).toBe(true);
  });
});

describe('MongoEventBus', () => {
  it('delivers published events to a subscriber, in order, with their envelope', async () => {
    const { bus: b } = await bus();
    const r = recorder();
    b.subscribe('reader', ['user.created', 'user.consent.changed'], r.handler);
    const first = [1, 2, 3, 4, 5].map((n) => ev(n % 2 ? 'user.created' : 'user.consent.changed', n, `u${n}`));
    await b.publish(first);
    const second = [6, 7, 8].map((n) => ev('user.created', n));
    await b.publish(second);
    await waitFor(() => r.got.length === 8);
    expect(r.ns()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(r.got[0]).toEqual(first[0]);
    expect(r.got[0]?.userId).toBe('u1');
    expect(r.got[5]).toEqual(second[0]);
    expect(r.got[5]).not.toHaveProperty('userId');
    await pause(100);
    expect(r.got).toHaveLength(8);
  });

  it('gives every consumer every event', async () => {
    const { bus: b } = await bus();
    const a = recorder();
    const c = recorder();
    b.subscribe('consumer-a', ['ad.click'], a.handler);
    b.subscribe('consumer-c', ['ad.click'], c.handler);
    await b.publish([1, 2, 3].map((n) => ev('ad.click', n)));
    await waitFor(() => a.got.length === 3 && c.got.length === 3);
    expect(a.ns()).toEqual([1, 2, 3]);
    expect(c.ns()).toEqual([1, 2, 3]);
    expect(() => b.subscribe('consumer-a', ['ad.click'], a.handler)).toThrow(/already subscribed/);
  });

  it('delivers only the subscribed types', async () => {
    const { bus: b } = await bus();
    const r = recorder();
    b.subscribe('clicks', ['ad.click', 'feedback.received'], r.handler);
    await b.publish([
      ev('ad.impression', 1),
      ev('ad.click', 2),
      ev('model.updated', 3),
      ev('feedback.received', 4),
      ev('ad.impression', 5),
    ]);
    await waitFor(() => r.got.length === 2);
    await pause(100);
    expect(r.got.map((e) => e.type)).toEqual(['ad.click', 'feedback.received']);
  });

  it('resumes a restarted consumer after its offset: the unacknowledged event again, nothing handled, nothing skipped', async () => {
    const { bus: first, dbName } = await bus();
    const r1 = recorder();
    let failOn3 = true;
    const sub = first.subscribe('resumer', ['attention.recorded'], async (e) => {
      if ((e.data as { n: number }).n === 3 && failOn3) throw new Error('down');
      await r1.handler(e);
    });
    await first.publish([1, 2, 3, 4].map((n) => ev('attention.recorded', n)));
    await waitFor(() => r1.got.length === 2);
    await pause(50); // event 3 is failing and being retried
    await sub.stop();
    expect(r1.ns()).toEqual([1, 2]);
    await first.publish([5, 6].map((n) => ev('attention.recorded', n)));

    // Another process, same consumer name.
    failOn3 = false;
    const { bus: second } = await bus({ dbName });
    const r2 = recorder();
    second.subscribe('resumer', ['attention.recorded'], r2.handler);
    await waitFor(() => r2.got.length === 4);
    expect(r2.ns()).toEqual([3, 4, 5, 6]);

    // Stopped cleanly after handling everything: a third start gets nothing again.
    await second.close();
    const { bus: third } = await bus({ dbName });
    const r3 = recorder();
    third.subscribe('resumer', ['attention.recorded'], r3.handler);
    await third.publish([ev('attention.recorded', 7)]);
    await waitFor(() => r3.got.length === 1);
    await pause(100);
    expect(r3.ns()).toEqual([7]);
  });

  it('retries a failing event without skipping it, and without holding back other consumers', async () => {
    const { bus: b } = await bus();
    const r = recorder();
    const attempts: number[] = [];
    let failures = 1;
    b.subscribe('flaky', ['feedback.received'], async (e) => {
      const n = (e.data as { n: number }).n;
      attempts.push(n);
      if (n === 2 && failures-- > 0) throw new Error('transient');
      await r.handler(e);
    });
    const stuck: number[] = [];
    b.subscribe('stuck', ['feedback.received'], async (e) => {
      stuck.push((e.data as { n: number }).n);
      throw new Error('always');
    });
    const healthy = recorder();
    b.subscribe('healthy', ['feedback.received'], healthy.handler);
    await b.publish([1, 2, 3].map((n) => ev('feedback.received', n)));
    await waitFor(() => r.got.length === 3 && healthy.got.length === 3);
    expect(attempts).toEqual([1, 2, 2, 3]);
    expect(r.ns()).toEqual([1, 2, 3]);
    await waitFor(() => stuck.length >= 3);
    expect(new Set(stuck)).toEqual(new Set([1])); // retried, never skipped
  });

  it('waits out the settle window, so an event with an older id stored late is still delivered', async () => {
    const { bus: b } = await bus({ settleMs: 600 });
    const r = recorder();
    b.subscribe('settler', ['ad.impression'], r.handler);
    await pause(50); // the consumer is polling
    const late = ev('ad.impression', 1); // its id is made first...
    await pause(30);
    await b.publish([ev('ad.impression', 2)]); // ...but a newer one is stored first
    await b.publish([late]);
    await waitFor(() => r.got.length === 2);
    expect(r.ns()).toEqual([1, 2]);
  });

  it('(control) without a settle window, that late event would be skipped', async () => {
    const { bus: b } = await bus({ settleMs: 0 });
    const r = recorder();
    b.subscribe('no-settle', ['ad.impression'], r.handler);
    const late = ev('ad.impression', 1);
    // Stored first, with an id a little ahead (so that the consumer cannot pass it before it is stored).
    const early = { ...ev('ad.impression', 2), id: newId('evt', Date.now() + 100) };
    const raw = rawEvents(b);
    const doc = (e: MeshEvent) => ({
      _id: e.id,
      type: e.type,
      occurredAt: e.occurredAt,
      key: e.key,
      data: e.data,
    });
    // What publish does: the head first, then the event.
    const heads = b.connection.db!.collection<{ _id: string }>('heads');
    const announce = (e: MeshEvent) =>
      heads.updateOne(
        { _id: 'ad.impression|raw' },
        { $max: { last: e.id }, $set: { type: e.type } },
        { upsert: true },
      );
    await announce(early);
    await raw.insertOne(doc(early));
    await waitFor(() => r.got.length === 1);
    await announce(late);
    await raw.insertOne(doc(late));
    await pause(150);
    expect(r.ns()).toEqual([2]);
  });

  it('reads the events collection only when a head of its types moves, or for the periodic full poll', async () => {
    const dbName = `t_bus_${randomBytes(4).toString('hex')}`;
    dbs.add(dbName);
    const conn = await connectMongo({ uri: inject('mongoUri'), dbName, logger, monitorCommands: true });
    const b = await MongoEventBus.fromConnection(conn, { logger, ...FAST, fullPollMs: 60_000 });
    opened.push(b);
    const finds: string[] = [];
    conn.getClient().on('commandStarted', (e: { commandName: string; command: Record<string, unknown> }) => {
      if (e.commandName === 'find') finds.push(String(e.command.find));
    });
    const r = recorder();
    b.subscribe('gated', ['ad.click'], r.handler);
    await b.publish([ev('user.erased', 1)]); // another type: no reason to read events
    await pause(400);
    const idleEventReads = finds.filter((c) => c === 'events').length;
    expect(idleEventReads).toBe(1); // the first poll after start is a full one
    expect(finds.filter((c) => c === 'heads').length).toBeGreaterThan(5);
    await b.publish([ev('ad.click', 1), ev('ad.click', 2)]);
    await waitFor(() => r.got.length === 2);
    expect(r.ns()).toEqual([1, 2]);
    // Reads happen only while the new head is inside the settle window, then stop again.
    await pause(400);
    const after = finds.filter((c) => c === 'events').length;
    await pause(300);
    expect(finds.filter((c) => c === 'events').length).toBe(after);
    await b.close();
    await conn.close();
  });

  it('publishes idempotently by id and refuses events it cannot order', async () => {
    const { bus: b } = await bus();
    const e = ev('model.updated', 1);
    await b.publish([e]);
    await b.publish([e, ev('model.updated', 2)]);
    const stored = await rawEvents(b).find({}).sort({ _id: 1 }).toArray();
    expect(stored.map((d) => (d.data as { n: number }).n)).toEqual([1, 2]);
    expect(stored[0]).toMatchObject({
      _id: e.id,
      type: 'model.updated',
      key: e.key,
      occurredAt: e.occurredAt,
    });

    await expect(b.publish([{ ...ev('model.updated', 3), id: 'my-own-id' }])).rejects.toThrow(
      /not an event id/,
    );
    const stale = { ...ev('model.updated', 4), id: newId('evt', Date.now() - 5_000) };
    await expect(b.publish([stale])).rejects.toThrow(/before it was published/);
    expect(await rawEvents(b).countDocuments({})).toBe(2);
  });

  it('starts a new consumer at the latest event when asked, and keeps idle offsets moving', async () => {
    const { bus: b } = await bus({ idleCommitMs: 0 });
    await b.publish([ev('ad.click', 1)]);
    await pause(200); // past the settle window
    const r = recorder();
    b.subscribe('late-joiner', ['ad.click'], r.handler, { startAt: 'latest' });
    const idle = recorder();
    b.subscribe('idle', ['user.erased'], idle.handler);
    await pause(30);
    await b.publish([ev('ad.click', 2)]);
    await waitFor(() => r.got.length === 1);
    await pause(80);
    expect(r.ns()).toEqual([2]);
    // The consumer of a type nobody publishes still moves up to the settle cutoff (at its full polls).
    await waitFor(async () => (await b.consumerOffsets()).idle! > r.got[0]!.id);
  });

  it('sweeps events older than the retention that every consumer has passed', async () => {
    const { bus: b } = await bus({ idleCommitMs: 0 });
    const raw = rawEvents(b);
    const day = 24 * 60 * 60 * 1000;
    const old = [9, 8, 7].map((daysAgo) => ({
      _id: newId('evt', Date.now() - daysAgo * day),
      type: daysAgo === 8 ? 'user.erased' : 'ad.click',
      occurredAt: 0,
      key: { __typename: 'User', id: 'u' },
      data: { n: daysAgo },
    }));
    await raw.insertMany(old);
    await b.publish([ev('ad.click', 0)]);

    const lagging = b.subscribe('lagging', ['ad.click', 'user.erased'], async (e) => {
      if (e.type === 'user.erased') throw new Error('stuck on the 8-day-old event');
    });
    const r = recorder();
    const healthy = b.subscribe('healthy', ['ad.click'], r.handler);
    await waitFor(() => r.got.length === 3);
    await waitFor(async () => (await b.consumerOffsets()).lagging === old[0]!._id);
    await waitFor(async () => (await b.consumerOffsets()).healthy! > r.got[2]!.id);
    // `lagging` has passed only the 9-day-old event; the 7-day-old one is kept for it too.
    expect(await b.sweep(5 * day)).toBe(1);
    await lagging.stop();
    await b.removeConsumer('lagging');
    expect(await b.sweep(5 * day)).toBe(2);
    expect((await raw.find({}).toArray()).map((d) => d._id)).toEqual([r.got[2]!.id]);
    expect(await b.sweep(5 * day)).toBe(0);
    expect(await raw.countDocuments({})).toBe(1);
    await healthy.stop();
  });

  it('opens concurrently on a fresh database (services starting together)', async () => {
    const dbName = `t_bus_${randomBytes(4).toString('hex')}`;
    const buses = await Promise.all([1, 2, 3, 4, 5].map(() => bus({ dbName })));
    const r = recorder();
    buses[0]!.bus.subscribe('reader', ['user.erased'], r.handler);
    await Promise.all(buses.map((b, i) => b.bus.publish([ev('user.erased', i)])));
    await waitFor(() => r.got.length === 5);
    expect(r.ns().sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('stops cleanly while a handler is retrying, and refuses use after close', async () => {
    const { bus: b } = await bus();
    let calls = 0;
    const sub = b.subscribe('closing', ['ad.click'], async () => {
      calls++;
      throw new Error('no');
    });
    await b.publish([ev('ad.click', 1)]);
    await waitFor(() => calls >= 2);
    const started = Date.now();
    await sub.stop();
    expect(Date.now() - started).toBeLessThan(500);
    await b.close();
    await expect(b.publish([ev('ad.click', 2)])).rejects.toThrow(/closed/);
    expect(() => b.subscribe('x', ['ad.click'], async () => {})).toThrow(/closed/);
  });
});
