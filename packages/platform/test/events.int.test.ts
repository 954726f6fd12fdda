import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventIdFloor, eventIdTime, newEventId, partitionOf } from '../src/events/index.js';
import { newId } from '../src/ids.js';
import { type BusAdapter, ev, mongoAdapter, natsAdapter, pause, recorder, waitFor } from './support/buses.js';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

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

  it('hash keys to partitions stably', () => {
    expect(partitionOf({ __typename: 'User', id: 'u1' }, 4)).toBe(
      partitionOf({ __typename: 'User', id: 'u1' }, 4),
    );
    const seen = new Set(
      Array.from({ length: 200 }, (_, i) => partitionOf({ __typename: 'Ad', id: `a${i}` }, 4)),
    );
    expect(seen).toEqual(new Set([0, 1, 2, 3]));
    // A fixed value: replicas of different versions must agree.
    expect(partitionOf({ __typename: 'User', id: 'u1' }, 1024)).toBe(
      partitionOf({ __typename: 'User', id: 'u1' }, 1024),
    );
  });
});

describe.each([
  ['MongoEventBus', mongoAdapter],
  ['NatsEventBus', natsAdapter],
] as const)('%s', (_label, make) => {
  const adapter: BusAdapter = make(logger);
  beforeAll(() => adapter.setup(inject('mongoUri')));
  afterEach(() => adapter.cleanup());
  afterAll(() => adapter.teardown());
  const open = (opts?: Parameters<BusAdapter['open']>[0]) => adapter.open(opts);

  it('delivers published events to a subscriber, in order, with their envelope', async () => {
    const { bus: b } = await open();
    const r = recorder();
    await b.subscribe('reader', ['user.created', 'user.consent.changed'], r.handler).ready;
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

  it('gives every consumer every event, and only the subscribed types', async () => {
    const { bus: b } = await open();
    const a = recorder();
    const c = recorder();
    b.subscribe('consumer-a', ['ad.click'], a.handler);
    b.subscribe('consumer.c', ['ad.click', 'feedback.received'], c.handler);
    await b.publish([
      ev('ad.impression', 1),
      ev('ad.click', 2),
      ev('model.updated', 3),
      ev('feedback.received', 4),
      ev('ad.click', 5),
    ]);
    await waitFor(() => a.got.length === 2 && c.got.length === 3);
    await pause(100);
    expect(a.ns()).toEqual([2, 5]);
    expect(c.ns()).toEqual([2, 4, 5]);
    expect(() => b.subscribe('consumer-a', ['ad.click'], a.handler)).toThrow(/already subscribed/);
    expect(() => b.subscribe('bad name', ['ad.click'], a.handler)).toThrow(/consumer name/);
    expect(() => b.subscribe('x', ['ad.click'], a.handler, { maxAttempts: 0 })).toThrow(/maxAttempts/);
  });

  it('resumes a restarted consumer after its position: the unfinished event again, nothing handled twice, nothing skipped', async () => {
    const { bus: first, name } = await open();
    const r1 = recorder();
    let failOn3 = true;
    const sub = first.subscribe(
      'resumer',
      ['attention.recorded'],
      async (e) => {
        if ((e.data as { n: number }).n === 3 && failOn3) throw new Error('down');
        await r1.handler(e);
      },
      { maxAttempts: Number.POSITIVE_INFINITY },
    );
    await sub.ready;
    await first.publish([1, 2, 3, 4].map((n) => ev('attention.recorded', n)));
    await waitFor(() => r1.got.length === 2);
    await pause(50); // event 3 is failing and being retried
    await sub.stop();
    expect(r1.ns()).toEqual([1, 2]);
    await first.publish([5, 6].map((n) => ev('attention.recorded', n)));

    // Another process, same consumer name.
    failOn3 = false;
    const { bus: second } = await open({ name });
    const r2 = recorder();
    second.subscribe('resumer', ['attention.recorded'], r2.handler);
    await waitFor(() => new Set(r2.ns()).size === 4);
    if (adapter.kind === 'mongo') expect(r2.ns()).toEqual([3, 4, 5, 6]);
    // NATS: what the stopped subscriber handed back comes again a second later, after 5 and 6.
    else expect([...new Set(r2.ns())].sort()).toEqual([3, 4, 5, 6]);

    // Stopped cleanly after handling everything: a third start gets only what comes next.
    await second.close();
    const { bus: third } = await open({ name });
    const r3 = recorder();
    await third.subscribe('resumer', ['attention.recorded'], r3.handler).ready;
    await third.publish([ev('attention.recorded', 7)]);
    await waitFor(() => r3.got.length === 1);
    await pause(100);
    expect(r3.ns()).toEqual([7]);
  });

  it('retries a failing event without skipping it, and without holding back other consumers', async () => {
    const { bus: b } = await open();
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
    b.subscribe(
      'stuck',
      ['feedback.received'],
      async (e) => {
        stuck.push((e.data as { n: number }).n);
        throw new Error('always');
      },
      { maxAttempts: Number.POSITIVE_INFINITY },
    );
    const healthy = recorder();
    b.subscribe('healthy', ['feedback.received'], healthy.handler);
    await pause(50);
    await b.publish([1, 2, 3].map((n) => ev('feedback.received', n)));
    await waitFor(() => r.got.length === 3 && healthy.got.length === 3);
    expect(attempts).toEqual([1, 2, 2, 3]);
    expect(r.ns()).toEqual([1, 2, 3]);
    await waitFor(() => stuck.length >= 6);
    expect(new Set(stuck)).toEqual(new Set([1])); // retried, never skipped
  });

  it('sets an event aside after maxAttempts failed tries, with the error, and moves on; a replay delivers it once more and clears it', async () => {
    const { bus: b } = await open();
    const tries = new Map<number, number>();
    let healthy = false;
    const handled: number[] = [];
    b.subscribe(
      'fragile',
      ['ad.click'],
      async (e) => {
        const n = (e.data as { n: number }).n;
        tries.set(n, (tries.get(n) ?? 0) + 1);
        if (n === 2 && !healthy) throw new Error(`cannot handle ${n}`);
        handled.push(n);
      },
      { maxAttempts: 3 },
    );
    const other = recorder();
    b.subscribe('other', ['ad.click'], other.handler);
    await pause(50);
    const events = [1, 2, 3].map((n) => ev('ad.click', n));
    await b.publish(events);
    await waitFor(() => handled.length === 2);
    expect(handled).toEqual([1, 3]);
    expect(tries.get(2)).toBe(3);
    const [letter, ...none] = await b.deadLetters({ consumer: 'fragile' });
    expect(none).toEqual([]);
    expect(letter).toMatchObject({
      consumer: 'fragile',
      eventId: events[1]!.id,
      type: 'ad.click',
      event: events[1],
      replays: 0,
    });
    expect(letter!.reason).toMatch(/handler failed 3 times: cannot handle 2/);
    expect(await b.deadLetters({ consumer: 'other' })).toEqual([]);

    // Replayed while still failing: set aside again, counted.
    expect(await b.replayDeadLetters({ consumer: 'fragile' })).toEqual({
      replayed: [{ consumer: 'fragile', eventId: events[1]!.id }],
    });
    await waitFor(async () => (await b.deadLetters({ consumer: 'fragile' }))[0]?.replays === 1);
    expect(tries.get(2)).toBe(6);

    // Replayed once fixed: handled once more, only by that consumer, and gone from the dead letters.
    healthy = true;
    await b.replayDeadLetters({ consumer: 'fragile', eventIds: [events[1]!.id] });
    await waitFor(() => handled.length === 3);
    expect(handled).toEqual([1, 3, 2]);
    await waitFor(async () => (await b.deadLetters()).length === 0);
    await pause(100);
    expect(other.ns()).toEqual([1, 2, 3]);
    expect(handled).toEqual([1, 3, 2]);
    expect(await b.replayDeadLetters({ consumer: 'fragile' })).toEqual({ replayed: [] });
  });

  it('fans an ephemeral subscription out to every subscriber of the name, from the newest event, storing nothing', async () => {
    const { bus: b, name } = await open();
    await b.publish([ev('recommendations.updated', 1)]);
    const { bus: other } = await open({ name }); // another process
    const one = recorder();
    const two = recorder();
    const three = recorder();
    await Promise.all([
      b.subscribe('live', ['recommendations.updated'], one.handler, { ephemeral: true }).ready,
      b.subscribe('live', ['recommendations.updated'], two.handler, { ephemeral: true }).ready,
      other.subscribe('live', ['recommendations.updated'], three.handler, { ephemeral: true }).ready,
    ]);
    await b.publish([ev('recommendations.updated', 2), ev('model.updated', 3)]);
    await other.publish([ev('recommendations.updated', 4)]);
    await waitFor(() => one.got.length === 2 && two.got.length === 2 && three.got.length === 2);
    await pause(50);
    for (const r of [one, two, three]) expect(r.ns()).toEqual([2, 4]);
    expect(await b.lag()).toEqual([]);
    expect(() =>
      b.subscribe('live', ['x'], one.handler, { ephemeral: true, partition: { count: 2, index: 0 } }),
    ).toThrow(/ephemeral/);
  });

  it('reports each durable consumer lag: pending events, the oldest one, dead letters', async () => {
    const { bus: b } = await open();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const seen: number[] = [];
    await b.subscribe('slow', ['ad.impression'], async (e) => {
      seen.push((e.data as { n: number }).n);
      await gate;
    }).ready;
    await b.subscribe(
      'failing',
      ['ad.impression'],
      async () => {
        throw new Error('no');
      },
      { maxAttempts: 1 },
    ).ready;
    try {
      const before = Date.now();
      await b.publish([1, 2, 3, 4].map((n) => ev('ad.impression', n)));
      await b.publish([ev('ad.click', 5)]);
      await waitFor(() => seen.length === 1);
      await waitFor(async () => {
        const f = (await b.lag()).find((l) => l.consumer === 'failing');
        return f?.deadLetters === 4 && f.pending === 0; // acknowledgements are asynchronous on NATS
      });
      const lag = await b.lag();
      const slow = lag.find((l) => l.consumer === 'slow')!;
      expect(slow.pending).toBeGreaterThanOrEqual(3);
      expect(slow.pending).toBeLessThanOrEqual(4);
      expect(slow.oldestPendingAt).toBeGreaterThanOrEqual(before - 1_000);
      expect(slow.oldestPendingAt).toBeLessThanOrEqual(Date.now());
      expect(slow.deadLetters).toBe(0);
      const failing = lag.find((l) => l.consumer === 'failing')!;
      expect(failing).toMatchObject({ pending: 0, deadLetters: 4 });
      expect(failing.oldestPendingAt).toBeUndefined();
    } finally {
      release();
    }
    await waitFor(async () => (await b.lag()).find((l) => l.consumer === 'slow')?.pending === 0);
  });

  it('splits a partitioned consumer by key: each key to one replica, in order, every event once', async () => {
    const { bus: b, name } = await open();
    const { bus: b2 } = await open({ name });
    const count = 3;
    const got: { replica: number; key: string; n: number }[] = [];
    await Promise.all(
      [0, 1, 2].map(
        (index) =>
          (index === 2 ? b2 : b).subscribe(
            'per-user',
            ['attention.recorded'],
            async (e) => void got.push({ replica: index, key: e.key.id, n: (e.data as { n: number }).n }),
            { partition: { count, index } },
          ).ready,
      ),
    );
    const keys = Array.from({ length: 12 }, (_, i) => `user-${i}`);
    const events = Array.from({ length: 60 }, (_, i) =>
      ev('attention.recorded', i, undefined, keys[i % keys.length]),
    );
    await b.publish(events.slice(0, 30));
    await b2.publish(events.slice(30));
    await waitFor(() => got.length === 60);
    await pause(100);
    expect(got).toHaveLength(60);
    expect(new Set(got.map((g) => g.n)).size).toBe(60);
    for (const g of got) expect(g.replica).toBe(partitionOf({ __typename: 'User', id: g.key }, count));
    for (const k of keys) {
      const ns = got.filter((g) => g.key === k).map((g) => g.n);
      expect(ns).toEqual([...ns].sort((x, y) => x - y));
    }
    expect(new Set(got.map((g) => g.replica))).toEqual(new Set([0, 1, 2]));
    const lag = (await b.lag()).filter((l) => l.consumer === 'per-user');
    expect(lag.map((l) => l.partition)).toEqual([0, 1, 2].map((index) => ({ count, index })));
    expect(() =>
      b.subscribe('per-user', ['attention.recorded'], async () => {}, { partition: { count: 3, index: 3 } }),
    ).toThrow(/partition.index/);
  });

  it('publishes idempotently by id: a republished event is not delivered again', async () => {
    const { bus: b } = await open();
    const r = recorder();
    await b.subscribe('once', ['model.updated'], r.handler).ready;
    const e = ev('model.updated', 1);
    await b.publish([e]);
    await b.publish([e, ev('model.updated', 2)]);
    await b.publish([e]);
    await waitFor(() => r.got.length === 2);
    await pause(150);
    expect(r.ns()).toEqual([1, 2]);
    await expect(b.publish([{ ...ev('model.updated', 3), id: 'my-own-id' }])).rejects.toThrow(
      /not an event id/,
    );
  });

  it('starts a new consumer at the latest event when asked', async () => {
    const { bus: b } = await open();
    await b.publish([ev('ad.click', 1)]);
    const r = recorder();
    await b.subscribe('late-joiner', ['ad.click'], r.handler, { startAt: 'latest' }).ready;
    const all = recorder();
    b.subscribe('early', ['ad.click'], all.handler);
    await b.publish([ev('ad.click', 2)]);
    await waitFor(() => r.got.length === 1 && all.got.length === 2);
    await pause(80);
    expect(r.ns()).toEqual([2]);
    expect(all.ns()).toEqual([1, 2]);
  });

  it('stops cleanly while a handler is retrying, and refuses use after close', async () => {
    const { bus: b } = await open();
    let calls = 0;
    const sub = b.subscribe(
      'closing',
      ['ad.click'],
      async () => {
        calls++;
        throw new Error('no');
      },
      { maxAttempts: Number.POSITIVE_INFINITY },
    );
    await sub.ready;
    await b.publish([ev('ad.click', 1)]);
    await waitFor(() => calls >= 2);
    const started = Date.now();
    await sub.stop();
    // NATS reads the pull it has open to its end (at most a second) to hand its messages back.
    expect(Date.now() - started).toBeLessThan(adapter.kind === 'mongo' ? 500 : 1_500);
    await b.close();
    await expect(b.publish([ev('ad.click', 2)])).rejects.toThrow(/closed/);
    expect(() => b.subscribe('x', ['ad.click'], async () => {})).toThrow(/closed/);
  });
});
