import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseCatalogEvent } from '../src/events/catalog.js';
import {
  type CatalogEvent,
  type MeshEvent,
  type MongoEventBus,
  meshEvent,
  type NatsEventBus,
  newEventId,
  subscribeEvents,
} from '../src/events/index.js';
import { type BusAdapter, mongoAdapter, natsAdapter, waitFor } from './support/buses.js';

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

/** A logger that keeps the JSON lines it writes. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: pino({ level: 'warn' }, sink) };
}

describe.each([
  ['MongoEventBus', mongoAdapter],
  ['NatsEventBus', natsAdapter],
] as const)('dead letters (%s)', (_label, make) => {
  const adapter: BusAdapter = make(pino({ level: 'silent' }));
  beforeAll(() => adapter.setup(inject('mongoUri')));
  afterEach(() => adapter.cleanup());
  afterAll(() => adapter.teardown());

  it('keeps a malformed payload aside with its reason, logs it, and delivers the next good event', async () => {
    const { lines, logger } = capture();
    const { bus: b } = await adapter.open({ logger });
    const got: CatalogEvent<'attention.recorded'>[] = [];
    await subscribeEvents(b, 'reader', ['attention.recorded'], async (e) => {
      got.push(e);
    }).ready;
    const everything: MeshEvent[] = [];
    await b.subscribe('raw-reader', ['attention.recorded'], async (e) => void everything.push(e)).ready;

    const bad = malformed('attention.recorded', { engagedMs: 'a lot', targets: [] });
    const good = recorded('u-good', 1_500);
    await b.publish([bad, good]);
    await waitFor(() => got.length === 1 && everything.length === 2);

    expect(got.map((e) => e.id)).toEqual([good.id]);
    expect(got[0]!.data.targets[0]).toEqual({ type: 'ITEM', id: 'i1', engagedMs: 1_500 });
    await waitFor(async () => (await b.deadLetters({ consumer: 'reader' })).length === 1);
    const letters = await b.deadLetters({ consumer: 'reader' });
    expect(letters[0]).toMatchObject({
      eventId: bad.id,
      type: 'attention.recorded',
      consumer: 'reader',
      event: bad,
      replays: 0,
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
    await waitFor(async () => (await b.lag()).find((l) => l.consumer === 'reader')?.pending === 0);
    expect((await b.lag()).find((l) => l.consumer === 'reader')?.deadLetters).toBe(1);
  });

  it('keeps one dead letter per consumer and event, however often the event is delivered', async () => {
    const { bus: first, name } = await adapter.open();
    const bad = malformed('user.consent.changed', { analytics: 'yes' });
    const handled: string[] = [];
    const handler = async (e: CatalogEvent<'user.consent.changed'>) => void handled.push(e.id);
    const sub = subscribeEvents(first, 'consents', ['user.consent.changed'], handler);
    await sub.ready;
    await subscribeEvents(first, 'other', ['user.consent.changed'], handler).ready;
    await first.publish([bad]);
    await waitFor(async () => (await first.deadLetters()).length === 2);
    await sub.stop();

    // The position is lost (a consumer retired and re-created): the event comes again.
    await (first as MongoEventBus | NatsEventBus).removeConsumer('consents');
    const { bus: second } = await adapter.open({ name });
    const good = meshEvent(
      'user.consent.changed',
      user('u-ok'),
      { personalization: true, adsPersonalization: false, analytics: true, updatedAt: Date.now() },
      { userId: 'u-ok' },
    );
    await subscribeEvents(second, 'consents', ['user.consent.changed'], handler).ready;
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
    expect(await second.deadLetters({ consumer: 'other', eventIds: [bad.id, 'evt_nothere'] })).toHaveLength(
      1,
    );
  });

  it('sets aside an event of a type the catalog does not declare', async () => {
    const { bus: b } = await adapter.open();
    const got: string[] = [];
    // A type only a hand-built envelope can carry: the typed API has no way to subscribe to it.
    await b.subscribe('strict', ['model.retired', 'user.erased'], async (e) => void got.push(e.type), {
      check: parseCatalogEvent,
    }).ready;
    await b.publish([malformed('model.retired', { version: 3 }), malformed('user.erased', {})]);
    await waitFor(() => got.length === 1);
    expect(got).toEqual(['user.erased']);
    await waitFor(async () => (await b.deadLetters({ consumer: 'strict' })).length === 1);
    const [letter] = await b.deadLetters({ consumer: 'strict' });
    expect(letter?.reason).toMatch(/"model.retired" is not an event type/);
  });
});
