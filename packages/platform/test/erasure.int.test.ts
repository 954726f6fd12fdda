import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { subscribeErasure } from '../src/erasure/subscribeErasure.js';
import { erasedIdOf } from '../src/erasure/tombstoneHash.js';
import { TombstoneStore } from '../src/erasure/tombstoneStore.js';
import { type CatalogEvent, MongoEventBus, meshEvent, subscribeEvents } from '../src/events/index.js';
import { connectMongo } from '../src/mongo.js';
import { FAST, waitFor } from './support/buses.js';

const logger = pino({ level: 'silent' });
const SECRET = 's'.repeat(32);
const suffix = randomBytes(4).toString('hex');
let conn: Connection;
let bus: MongoEventBus;

beforeAll(async () => {
  conn = await connectMongo({ uri: inject('mongoUri'), dbName: `t_tomb_${suffix}`, logger });
  bus = await MongoEventBus.connect({
    uri: inject('mongoUri'),
    dbName: `t_bus_tomb_${suffix}`,
    logger,
    ...FAST,
  });
});
afterAll(async () => {
  await bus?.close();
  await conn?.useDb(`t_bus_tomb_${suffix}`, { useCache: false }).dropDatabase();
  await conn?.dropDatabase();
  await conn?.close();
});

describe('TombstoneStore', () => {
  it('stores only the hash, answers at once here and from the database in another process', async () => {
    const here = new TombstoneStore(conn, SECRET);
    const there = new TombstoneStore(conn, SECRET, { negativeTtlMs: 0 });
    expect(await there.isErased('usr-t1')).toBe(false);
    const hash = await here.add('usr-t1');
    expect(await here.isErased('usr-t1')).toBe(true);
    expect(await there.isErased('usr-t1')).toBe(true);
    expect(await here.isErased(erasedIdOf(hash))).toBe(true);
    expect(await here.isErased('usr-t10')).toBe(false);
    const stored = await conn.db!.collection('tombstones').find({}).toArray();
    expect(JSON.stringify(stored)).not.toContain('usr-t1');
    expect(stored.map((d) => d._id)).toContain(hash);
    const loaded = new TombstoneStore(conn, SECRET);
    await loaded.load();
    expect([...(await loaded.erasedAmong(['usr-t1', 'usr-t2']))]).toEqual(['usr-t1']);
    await expect(loaded.refuseErased('usr-t1', 'input.userId')).rejects.toMatchObject({
      extensions: { code: 'USER_ERASED', field: 'input.userId' },
    });
  });
});

describe('subscribeErasure and redactUser (mongo bus)', () => {
  it('stores the tombstone, erases, reports completion without the id, and the bus forgets the id', async () => {
    const store = new TombstoneStore(conn, SECRET);
    const erased: string[] = [];
    const done: CatalogEvent<'user.erasure.completed'>[] = [];
    const subs = [
      subscribeErasure(bus, 'ads', store, async (userId) => {
        erased.push(userId);
        return 3;
      }),
      subscribeEvents(bus, 'test.done', ['user.erasure.completed'], async (e) => void done.push(e)),
    ];
    const key = { __typename: 'User', id: 'usr-t3' };
    await bus.publish([
      meshEvent(
        'user.consent.changed',
        key,
        {
          personalization: true,
          adsPersonalization: true,
          analytics: true,
          updatedAt: 1,
        },
        { userId: 'usr-t3' },
      ),
      meshEvent('user.erased', key, {}, { userId: 'usr-t3' }),
    ]);
    await waitFor(() => done.length === 1);
    expect(erased).toEqual(['usr-t3']);
    expect(await store.isErased('usr-t3')).toBe(true);
    expect(done[0]!.data).toMatchObject({ service: 'ads', removed: 3 });
    expect(done[0]!.key).toEqual({ __typename: 'Erasure', id: store.hashOf('usr-t3') });
    expect(JSON.stringify(done[0])).not.toContain('usr-t3');

    const busDb = conn.useDb(`t_bus_tomb_${suffix}`, { useCache: false }).db!;
    const scan = async () =>
      JSON.stringify(await Promise.all(['log', 'events'].map((c) => busDb.collection(c).find({}).toArray())));
    expect(await scan()).toContain('"usr-t3"');
    const rewritten = await bus.redactUser('usr-t3', erasedIdOf(store.hashOf('usr-t3')));
    expect(rewritten).toBeGreaterThanOrEqual(3);
    expect(await scan()).not.toContain('usr-t3');
    expect(await scan()).toContain(erasedIdOf(store.hashOf('usr-t3')));
    await Promise.all(subs.map((s) => s.stop()));
  });
});
