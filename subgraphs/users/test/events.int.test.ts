import { createLogger, type MeshEvent, MongoEventBus, type RunningSubgraph } from '@attention-mesh/platform';
import {
  adminHeaders,
  callerHeaders,
  errorCodes,
  gql,
  startTestSubgraph,
  TEST_CALLERS,
} from '@attention-mesh/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { UsersRuntime } from '../src/runtime.js';
import { usersSubgraph } from '../src/server.js';

let sg: RunningSubgraph<UsersRuntime>;
let bus: MongoEventBus;

const CREATE = `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`;
const CONSENT = `mutation($userId: ID!, $consent: ConsentInput!) { updateConsent(userId: $userId, consent: $consent) { id } }`;

beforeAll(async () => {
  sg = await startTestSubgraph(usersSubgraph, inject('mongoUri'));
  expect(sg.events).toBeInstanceOf(MongoEventBus);
  bus = sg.events as MongoEventBus;
});
afterAll(() => sg?.stop());
// Each test makes the users it needs and looks only at the events published after it started.
beforeEach(async () => {
  await sg.runtime.User.deleteMany({});
});

const EVE = {
  id: 'u-eve',
  displayName: 'Eve',
  email: 'eve@example.com',
  country: 'DE',
  timezone: 'Europe/Berlin',
  segments: ['tech'],
  consent: { analytics: true, adsPersonalization: true },
};

/** The events stored on the bus, in id order. Publishing completes before a mutation answers. */
async function stored(): Promise<MeshEvent[]> {
  const docs = await bus.connection.collection('events').find({}).sort({ _id: 1 }).toArray();
  return docs.map(({ _id, ...rest }) => ({ id: String(_id), ...rest }) as MeshEvent);
}

describe('users events', () => {
  it('createUser publishes user.created then user.consent.changed; a repeat publishes nothing', async () => {
    const input = EVE;
    const before = (await stored()).length;
    const res = await gql(sg.url, CREATE, { input });
    expect(res.errors).toBeUndefined();
    const user = await sg.runtime.User.findById('u-eve').lean();
    const events = (await stored()).slice(before);
    expect(events.map((e) => e.type)).toEqual(['user.created', 'user.consent.changed']);
    const [created, consent] = events;
    expect(created).toMatchObject({
      key: { __typename: 'User', id: 'u-eve' },
      userId: 'u-eve',
      occurredAt: user!.createdAt,
      data: {
        country: 'DE',
        locale: 'en',
        timezone: 'Europe/Berlin',
        segments: ['tech'],
        createdAt: user!.createdAt,
      },
    });
    // No name or email on the bus.
    expect(JSON.stringify(created)).not.toMatch(/Eve|eve@/);
    expect(consent).toMatchObject({
      key: { __typename: 'User', id: 'u-eve' },
      userId: 'u-eve',
      data: {
        personalization: false,
        adsPersonalization: true,
        analytics: true,
        updatedAt: user!.consent.updatedAt,
      },
    });

    const again = await gql(sg.url, CREATE, { input: { ...input, displayName: 'Eve again' } });
    expect(again.errors).toBeUndefined();
    expect(await stored()).toHaveLength(before + 2);
  });

  it('publishes nothing for bad input or an unknown user', async () => {
    await gql(sg.url, CREATE, { input: EVE });
    const before = (await stored()).length;
    const bad = await gql(sg.url, CREATE, { input: { displayName: 'Bob', country: 'Germany' } });
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
    const missing = await gql(
      sg.url,
      CONSENT,
      { userId: 'nobody', consent: { analytics: true } },
      adminHeaders(),
    );
    expect(errorCodes(missing)).toEqual(['NOT_FOUND']);
    const profile = await gql(
      sg.url,
      `mutation { updateUser(id: "u-eve", input: { segments: ["sports"] }) { id } }`,
      {},
      callerHeaders(TEST_CALLERS.person('u-eve')),
    );
    expect(profile.errors).toBeUndefined();
    expect(await stored()).toHaveLength(before);
  });

  it('updateConsent publishes the whole new consent', async () => {
    await gql(sg.url, CREATE, { input: EVE });
    const before = (await stored()).length;
    const res = await gql(
      sg.url,
      CONSENT,
      { userId: 'u-eve', consent: { personalization: true, analytics: false } },
      callerHeaders(TEST_CALLERS.person('u-eve')),
    );
    expect(res.errors).toBeUndefined();
    const user = await sg.runtime.User.findById('u-eve').lean();
    const events = (await stored()).slice(before);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'user.consent.changed',
      key: { __typename: 'User', id: 'u-eve' },
      userId: 'u-eve',
      occurredAt: user!.consent.updatedAt,
      data: {
        personalization: true,
        adsPersonalization: true,
        analytics: false,
        updatedAt: user!.consent.updatedAt,
      },
    });
  });

  it('delivers the events to a consumer on the bus, in order', async () => {
    const consumer = await MongoEventBus.fromConnection(bus.connection, {
      logger: createLogger({ service: 'test', level: 'silent', pretty: false }),
      pollIntervalMs: 10,
    });
    const got: MeshEvent[] = [];
    consumer.subscribe('test-consents', ['user.created', 'user.consent.changed'], async (e) => {
      got.push(e);
    });
    try {
      await gql(sg.url, CREATE, { input: { id: 'u-finn', displayName: 'Finn' } });
      const expected = await stored();
      await expect
        .poll(() => got.length, { timeout: 5_000, interval: 10 })
        .toBeGreaterThanOrEqual(expected.length);
      expect(got).toEqual(expected);
      expect(got.slice(-2).map((e) => [e.type, e.key.id])).toEqual([
        ['user.created', 'u-finn'],
        ['user.consent.changed', 'u-finn'],
      ]);
    } finally {
      await consumer.close();
    }
  });
});
