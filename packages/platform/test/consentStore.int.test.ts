import { randomBytes } from 'node:crypto';
import { Schema } from 'mongoose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ConsentCollection, ConsentStore } from '../src/consent/consentStore.js';
import { connectMongo } from '../src/mongo.js';

const logger = pino({ level: 'silent' });
let conn: Awaited<ReturnType<typeof connectMongo>>;
const schema = new Schema<{ _id: string; ads: boolean; analytics: boolean; updatedAt: number }>(
  { _id: String, ads: Boolean, analytics: Boolean, updatedAt: Number },
  { versionKey: false },
);
const Consent = () => conn.model('Consent', schema, 'consents');
const store = (ttl = 60_000) =>
  new ConsentStore(Consent(), {
    flags: ['ads', 'analytics'],
    whenUnknown: { ads: false, analytics: true },
    cacheTtlMs: ttl,
  });

beforeAll(async () => {
  conn = await connectMongo({
    uri: inject('mongoUri'),
    dbName: `t_consent_${randomBytes(4).toString('hex')}`,
    logger,
  });
});
afterAll(async () => {
  await conn.dropDatabase();
  await conn.close();
});

describe('ConsentStore on the real database', () => {
  it('answers whenUnknown for a user never announced', async () => {
    expect(await store().get('u-none')).toEqual({ ads: false, analytics: true });
  });

  it('keeps the newest announcement whatever the order, and a repeat changes nothing', async () => {
    const s = store();
    await s.apply('u-1', { ads: true, analytics: true }, 2_000);
    await s.apply('u-1', { ads: false, analytics: false }, 1_000);
    await s.apply('u-1', { ads: true, analytics: true }, 2_000);
    expect(await s.get('u-1')).toEqual({ ads: true, analytics: true });
    await s.apply('u-1', { ads: false, analytics: true }, 3_000);
    expect(await s.allows('u-1', 'ads')).toBe(false);
    expect(await Consent().findById('u-1').lean()).toMatchObject({ ads: false, updatedAt: 3_000 });
  });

  it('a change applied by this process is seen at the next read, cached or not', async () => {
    const s = store();
    await s.apply('u-2', { ads: true, analytics: true }, 1_000);
    expect(await s.allows('u-2', 'ads')).toBe(true);
    await s.apply('u-2', { ads: false, analytics: true }, 2_000);
    expect(await s.allows('u-2', 'ads')).toBe(false);
  });

  it("another replica's change is seen once the cached entry is older than the TTL", async () => {
    const here = store(1_000);
    const there = store();
    await there.apply('u-3', { ads: true, analytics: true }, 1_000);
    expect(await here.allows('u-3', 'ads', 10_000)).toBe(true);
    await there.apply('u-3', { ads: false, analytics: true }, 2_000);
    expect(await here.allows('u-3', 'ads', 10_500)).toBe(true);
    expect(await here.allows('u-3', 'ads', 11_000)).toBe(false);
  });

  it('lists the users refusing a flag among many, and forgets an erased user', async () => {
    const s = store();
    await s.apply('u-4', { ads: true, analytics: false }, 1_000);
    await s.apply('u-5', { ads: true, analytics: true }, 1_000);
    expect([...(await s.refusing(['u-4', 'u-5', 'u-none', 'u-4'], 'analytics'))]).toEqual(['u-4']);
    await s.erase('u-4');
    expect(await s.get('u-4')).toEqual({ ads: false, analytics: true });
    expect(await Consent().findById('u-4').lean()).toBeNull();
  });

  it('a read that overlaps a write does not keep the consent from before it', async () => {
    // The real collection, with a read held after it returned until the write is done.
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const slowReads: ConsentCollection = {
      findById: (id) => ({
        lean: async () => {
          const doc = await Consent().findById(id).lean();
          await held;
          return doc;
        },
      }),
      updateOne: (filter, update, options) => Consent().updateOne(filter, update, options),
      deleteOne: (filter) => Consent().deleteOne(filter),
    };
    const s = new ConsentStore(slowReads, {
      flags: ['ads'],
      whenUnknown: { ads: false },
      cacheTtlMs: 60_000,
    });
    await Consent().create({ _id: 'u-6', ads: true, analytics: true, updatedAt: 1_000 });
    const racing = s.get('u-6');
    await s.apply('u-6', { ads: false }, 2_000);
    release();
    expect((await racing).ads).toBe(true);
    expect(await s.allows('u-6', 'ads')).toBe(false);
  });
});
