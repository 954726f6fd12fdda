import {
  createLogger,
  erasureCompleted,
  type MeshEvent,
  type MongoEventBus,
  newEventId,
  type RunningSubgraph,
} from '@attention-mesh/platform';
import { callerHeaders, errorCodes, gql, startTestSubgraph, TEST_CALLERS } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { recordCompletion } from '../src/erasure/recordCompletion.js';
import { resumeErasures } from '../src/erasure/resumeErasures.js';
import type { UsersRuntime } from '../src/runtime.js';
import { usersSubgraph } from '../src/server.js';

let sg: RunningSubgraph<UsersRuntime>;
let bus: MongoEventBus;
const logger = createLogger({ service: 'users', level: 'silent', pretty: false });

const ERASE = `mutation($id: ID!) { eraseUser(id: $id) { requestedAt completedAt services { service state removed } } }`;
const STATUS = `query($id: ID!) { erasureStatus(userId: $id) { requestedAt completedAt services { service state } } }`;
const CREATE = `mutation($id: ID!) { createUser(input: { id: $id, displayName: "Zoe" }) { id } }`;

beforeAll(async () => {
  sg = await startTestSubgraph(usersSubgraph, inject('mongoUri'));
  bus = sg.events as MongoEventBus;
});
afterAll(() => sg?.stop());

const erasedEvents = async (userId: string): Promise<MeshEvent[]> =>
  (await bus.connection.collection('events').find({ type: 'user.erased', userId }).toArray()).map(
    ({ _id, ...rest }) => ({ id: String(_id), ...rest }) as MeshEvent,
  );

describe('eraseUser', () => {
  it('deletes the profile, publishes user.erased once, answers the same erasure again, refuses the id', async () => {
    const id = `u-zoe-${Date.now()}`;
    const as = callerHeaders(TEST_CALLERS.person(id));
    expect((await gql(sg.url, CREATE, { id }, as)).errors).toBeUndefined();
    const first = await gql<{ eraseUser: { requestedAt: string; services: unknown[] } }>(
      sg.url,
      ERASE,
      { id },
      as,
    );
    expect(first.errors).toBeUndefined();
    expect(first.data!.eraseUser.services[0]).toEqual({ service: 'users', state: 'DONE', removed: 1 });
    expect(first.data!.eraseUser.services).toHaveLength(5);
    expect(await sg.runtime.User.findById(id).lean()).toBeNull();
    const again = await gql<{ eraseUser: { requestedAt: string } }>(sg.url, ERASE, { id }, as);
    expect(again.data!.eraseUser.requestedAt).toBe(first.data!.eraseUser.requestedAt);
    expect(await erasedEvents(id)).toHaveLength(1);
    expect(errorCodes(await gql(sg.url, CREATE, { id }, callerHeaders(TEST_CALLERS.admin)))).toEqual([
      'USER_ERASED',
    ]);
    // Someone else may neither erase the id nor read its erasure; bad input is named.
    const other = callerHeaders(TEST_CALLERS.person('u-other'));
    expect(errorCodes(await gql(sg.url, ERASE, { id }, other))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await gql(sg.url, STATUS, { id }, other))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await gql(sg.url, ERASE, { id: 'x'.repeat(65) }, as))).toEqual(['BAD_USER_INPUT']);
  });

  it('completes when every service reported, then forgets the id in its record', async () => {
    const id = `u-yan-${Date.now()}`;
    const as = callerHeaders(TEST_CALLERS.person(id));
    await gql(sg.url, ERASE, { id }, as);
    const tombstone = sg.runtime.tombstones.hashOf(id);
    for (const service of ['attention', 'recommendation', 'ads', 'feedback']) {
      const pending = await gql<{ erasureStatus: { completedAt: string | null } }>(
        sg.url,
        STATUS,
        { id },
        as,
      );
      expect(pending.data!.erasureStatus.completedAt).toBeNull();
      const e = erasureCompleted(service as 'ads', tombstone, 2, Date.now());
      await recordCompletion(sg.runtime, bus, e);
      await recordCompletion(sg.runtime, bus, e); // a redelivery changes nothing
    }
    const done = await gql<{ erasureStatus: { completedAt: string | null; services: { state: string }[] } }>(
      sg.url,
      STATUS,
      { id },
      as,
    );
    expect(done.data!.erasureStatus.completedAt).not.toBeNull();
    expect(done.data!.erasureStatus.services.every((s) => s.state === 'DONE')).toBe(true);
    const record = await sg.runtime.Erasure.findById(tombstone).lean();
    expect(JSON.stringify(record)).not.toContain(id);
    // The bus forgot the id too.
    expect(await erasedEvents(id)).toHaveLength(0);
  });

  it('publishes an erasure whose publish was lost (a crash) at start-up, with its own event id', async () => {
    const id = `u-xia-${Date.now()}`;
    const tombstone = sg.runtime.tombstones.hashOf(id);
    const eventId = newEventId();
    await sg.runtime.Erasure.create({
      _id: tombstone,
      userId: id,
      eventId,
      requestedAt: Date.now(),
      publishedAt: null,
      services: { users: { completedAt: Date.now(), removed: 1 } },
      completedAt: null,
    });
    expect(await resumeErasures(sg.runtime, bus, logger)).toBeGreaterThanOrEqual(1);
    expect((await erasedEvents(id)).map((e) => e.id)).toEqual([eventId]);
    await resumeErasures(sg.runtime, bus, logger);
    expect(await erasedEvents(id)).toHaveLength(1);
    expect((await sg.runtime.Erasure.findById(tombstone).lean())!.publishedAt).not.toBeNull();
  });
});
