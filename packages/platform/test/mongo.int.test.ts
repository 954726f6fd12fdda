import { randomBytes } from 'node:crypto';
import { Schema } from 'mongoose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CounterWriter } from '../src/counterWriter.js';
import { connectMongo, ensureIndexes, insertNew } from '../src/mongo.js';

const logger = pino({ level: 'silent' });
let conn: Awaited<ReturnType<typeof connectMongo>>;
const counterSchema = new Schema<{ _id: string; n: number; last: number }>(
  { _id: String, n: Number, last: Number },
  { versionKey: false },
);
const thingSchema = new Schema<{ _id: string }>({ _id: String }, { versionKey: false });
const Counter = () => conn.model('Counter', counterSchema, 'counters');
const Thing = () => conn.model('Thing', thingSchema, 'things');

beforeAll(async () => {
  conn = await connectMongo({
    uri: inject('mongoUri'),
    dbName: `t_platform_${randomBytes(4).toString('hex')}`,
    logger,
  });
  Counter();
  Thing();
  await ensureIndexes(conn);
});
afterAll(async () => {
  await conn.dropDatabase();
  await conn.close();
});

describe('counters on the real database', () => {
  it('updates hundreds of existing documents in one add (large bulk writes are sliced)', async () => {
    const writer = new CounterWriter(Counter());
    const updates = Array.from(
      { length: 180 },
      (_, i) => [`c${i}`, { $inc: { n: 1 }, $max: { last: i } }] as const,
    );
    await writer.add(updates);
    await writer.add(updates);
    const docs = await Counter().find({}).lean<{ _id: string; n: number; last: number }[]>();
    expect(docs).toHaveLength(180);
    expect(docs.every((d) => d.n === 2)).toBe(true);
  }, 60_000);

  it('inserts only what is new and says which', async () => {
    expect((await insertNew(Thing(), [{ _id: 'a' }, { _id: 'b' }])).map((d) => d._id)).toEqual(['a', 'b']);
    expect((await insertNew(Thing(), [{ _id: 'b' }, { _id: 'c' }, { _id: 'a' }])).map((d) => d._id)).toEqual([
      'c',
    ]);
  });
});
