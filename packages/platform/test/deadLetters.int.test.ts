import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Connection } from 'mongoose';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseCatalogEvent } from '../src/events/catalog.js';
import {
  type CatalogEvent,
  type MeshEvent,
  MongoEventBus,
  meshEvent,
  newEventId,
  subscribeEvents,
} from '../src/events/index.js';
import { connectMongo } from '../src/mongo.js';

const FAST = { settleMs: 150, pollIntervalMs: 10, retryMinMs: 10, retryMaxMs: 40, fullPollMs: 50 } as const;

let admin: Connection;
beforeAll(async () => {
  admin = await connectMongo({ uri: inject('mongoUri'), dbName: 'admin', logger: pino({ level: 'silent' }) });
});
afterAll(() => admin?.close());

const opened: { bus: MongoEventBus; dbName: string }[] = [];
afterEach(async () => {
  for (const { bus, dbName } of opened.splice(0)) {
    await bus.close();
    await admin.useDb(dbName, { useCache: false }).dropDatabase();
  }
});

/** A bus on a fresh database, with the JSON lines it logs. */
async function bus(dbName = `t_dead_${randomBytes(4).toString('hex')}`) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const b = await MongoEventBus.connect({
    uri: inject('mongoUri'),
    dbName,
    logger: pino({ level: 'warn' }, sink),
    ...FAST,
  });
  opened.push({ bus: b, dbName });
  return { bus: b, dbName, lines };
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const user = (id: string) => ({ __typename: 'User', id });

const recorded = (userId: string, engagedMs: number) =>
  meshEvent(
    'attention.recorded',
    user(userId),
    {
      events: 1,
      impressions: 1,
      clicks: 0,
      engagedMs,
      targets: [{ type: 'ITEM', id: 'i1', engagedMs }],
      placements: [],
      lastEventAt: Date.now(),
    },
    { userId },
  );

/** What a producer bug would store if it bypassed `meshEvent`: an envelope with a wrong payload. */
const malformed = (type: string, data: unknown): MeshEvent => ({
  id: newEventId(),
  type,
  occurredAt: Date.now(),
  key: user('u-bad'),
  userId: 'u-bad',
  data,
});

describe('dead letters', () => {
  it('keeps a malformed payload aside with its reason, logs it, and delivers the next good event', async () => {
    const { bus: b, lines } = await bus();
    const got: CatalogEvent<'attention.recorded'>[] = [];
    subscribeEvents(b, 'reader', ['attention.recorded'], async (e) => {
      got.push(e);
    });
    const everything: MeshEvent[] = [];
    b.subscribe('raw-reader', ['attention.recorded'], async (e) => void everything.push(e));

    const bad = malformed('attention.recorded', { engagedMs: 'a lot', targets: [] });
    const good = recorded('u-good', 1_500);
    await b.publish([bad, good]);
    await waitFor(() => got.length === 1 && everything.length === 2);

    expect(got.map((e) => e.id)).toEqual([good.id]);
    expect(got[0]!.data.targets[0]).toEqual({ type: 'ITEM', id: 'i1', engagedMs: 1_500 });
    const letters = await b.deadLetters({ consumer: 'reader' });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      eventId: bad.id,
      type: 'attention.recorded',
      consumer: 'reader',
      event: bad,
    });
    expect(letters[0]!.reason).toMatch(/engagedMs/);
    expect(letters[0]!.reason).toMatch(/events/);
    expect(Math.abs(letters[0]!.at - Date.now())).toBeLessThan(5_000);
    // A consumer without the check took both; it has no dead letters.
    expect(await b.deadLetters({ consumer: 'raw-reader' })).toEqual([]);
    const logged = lines.find((l) => l.eventId === bad.id);
    expect(logged).toMatchObject({ level: 50, consumer: 'reader', type: 'attention.recorded' });
    expect(String(logged?.reason)).toMatch(/engagedMs/);
    // The consumer moved past both events.
    await waitFor(async () => ((await b.consumerOffsets()).reader ?? '') >= good.id);
  });

  it('keeps one dead letter per consumer and event, however often the event is delivered', async () => {
    const { bus: first, dbName } = await bus();
    const bad = malformed('user.consent.changed', { analytics: 'yes' });
    const handled: string[] = [];
    const handler = async (e: CatalogEvent<'user.consent.changed'>) => void handled.push(e.id);
    const sub = subscribeEvents(first, 'consents', ['user.consent.changed'], handler);
    subscribeEvents(first, 'other', ['user.consent.changed'], handler);
    await first.publish([bad]);
    await waitFor(async () => (await first.deadLetters()).length === 2);
    await sub.stop();

    // The position is lost (a crash before the offset was stored): the event comes again.
    await first.connection.db!.collection<{ _id: string }>('offsets').deleteOne({ _id: 'consents' });
    const { bus: second } = await bus(dbName);
    const good = meshEvent(
      'user.consent.changed',
      user('u-ok'),
      { personalization: true, adsPersonalization: false, analytics: true, updatedAt: Date.now() },
      { userId: 'u-ok' },
    );
    subscribeEvents(second, 'consents', ['user.consent.changed'], handler);
    await second.publish([good]);
    await waitFor(() => handled.filter((id) => id === good.id).length === 2);
    expect(handled).not.toContain(bad.id);

    const letters = await second.deadLetters();
    expect(letters.map((l) => [l.consumer, l.eventId]).sort()).toEqual([
      ['consents', bad.id],
      ['other', bad.id],
    ]);
    expect(await second.deadLetters({ limit: 1 })).toHaveLength(1);
    expect(await second.deadLetters({ consumer: 'nobody' })).toEqual([]);
  });

  it('sets aside an event of a type the catalog does not declare', async () => {
    const { bus: b } = await bus();
    const got: string[] = [];
    // A type only a hand-built envelope can carry: the typed API has no way to subscribe to it.
    b.subscribe('strict', ['model.retired', 'user.erased'], async (e) => void got.push(e.type), {
      check: parseCatalogEvent,
    });
    await b.publish([malformed('model.retired', { version: 3 }), malformed('user.erased', {})]);
    await waitFor(() => got.length === 1);
    expect(got).toEqual(['user.erased']);
    const [letter] = await b.deadLetters({ consumer: 'strict' });
    expect(letter?.reason).toMatch(/"model.retired" is not an event type/);
  });
});
