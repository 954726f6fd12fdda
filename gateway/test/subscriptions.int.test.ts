import {
  createLogger,
  type EventBus,
  MongoEventBus,
  meshEvent,
  NatsEventBus,
} from '@attention-mesh/platform';
import { gql, type NatsServer, startNatsServer } from '@attention-mesh/testkit';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadGatewayConfig } from '../src/config.js';
import { type RunningGateway, startGateway } from '../src/server.js';
import { type DemoMesh, startDemoMesh } from './support/demoMesh.js';
import { adminBearer, bearer, TEST_JWT_SECRET } from './support/jwt.js';
import { sseUrlOf, subscribeSse, subscribeWs, wsClient } from './support/subscribers.js';

/**
 * The four Subscription fields through the gateway over the five real subgraphs and the demo world,
 * with real graphql-ws and graphql-sse clients: each payload is the client's whole selection resolved
 * through the graph for the event's entity, triggered by real mutations (or, for
 * `recommendations.updated`, an event published on the subgraphs' bus), on the mongo adapter and, for
 * one gateway, on NATS JetStream (Debian's nats-server).
 */

let mesh: DemoMesh;
let gateway: RunningGateway;
let bus: EventBus;
const clients: Client[] = [];
const stops: (() => void)[] = [];
type Headers = Record<string, string>;
const as: Record<'person' | 'other' | 'advertiser' | 'analyst' | 'admin', Headers> = {
  person: {},
  other: {},
  advertiser: {},
  analyst: {},
  admin: {},
};
let publisher: Headers;

const PERSON = 'usr-demo-01';
const OTHER = 'usr-demo-02';

async function ok<T = Record<string, unknown>>(headers: Headers, query: string, variables = {}): Promise<T> {
  const res = await gql<T>(gateway.url, query, variables, headers);
  expect(res.errors).toBeUndefined();
  return res.data as T;
}

/** A graphql-ws client with the bearer of `headers` in its `connection_init`. */
function client(
  headers: Headers,
  url = gateway.url,
  onClosed?: (e: { code: number; reason: string }) => void,
) {
  // The credentials go in the connection_init payload, as browsers must send them.
  const c = wsClient(url, { ...headers }, onClosed);
  clients.push(c);
  return c;
}

function ws<T>(headers: Headers, query: string, variables: Record<string, unknown> = {}) {
  const s = subscribeWs<T>(client(headers), query, variables);
  stops.push(s.stop);
  return s.received;
}

let n = 0;
const clientId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${n++}`;

beforeAll(async () => {
  mesh = await startDemoMesh(inject('mongoUri'));
  gateway = mesh.gateway;
  bus = await MongoEventBus.connect({
    uri: inject('mongoUri'),
    dbName: mesh.busDbName,
    logger: createLogger({ service: 'gateway', level: 'warn', pretty: false }),
  });
  as.admin = await adminBearer();
  as.person = await bearer({ sub: PERSON });
  as.other = await bearer({ sub: OTHER });
  as.advertiser = await bearer({ sub: 'usr-adv-member', scope: 'ads:write', advertiser_id: 'adv-demo-1' });
  as.analyst = await bearer({ sub: 'usr-analyst', scope: 'analytics:read' });
  const created = await ok<{ createApiKey: { key: string } }>(
    as.admin,
    'mutation { createApiKey(input: { partnerId: "pub-demo", name: "subscriptions test", scopes: ["ads:request", "events:write"] }) { key } }',
  );
  publisher = { 'x-api-key': created.createApiKey.key };
}, 240_000);

afterAll(async () => {
  for (const s of stops) s();
  await Promise.all(clients.map((c) => c.dispose()));
  await bus?.close();
  await mesh?.stop();
});

const ATTENTION = `subscription($u: ID!) {
  attentionChanged(userId: $u) { events at user { id displayName attention { events } } }
}`;

describe('attentionChanged (graphql-ws)', () => {
  it("pushes the user's fresh attention, with fields of users and attention, after recordAttention", async () => {
    const received = ws<{
      attentionChanged: {
        events: number;
        at: string;
        user: { id: string; displayName: string; attention: { events: number } };
      };
    }>(as.person, ATTENTION, { u: PERSON });
    // The subscription is open once the gateway answers it; give the first one the bus's start.
    await new Promise((r) => setTimeout(r, 500));
    const before = (
      await ok<{ user: { attention: { events: number } } }>(
        as.person,
        `{ user(id: "${PERSON}") { attention { events } } }`,
      )
    ).user.attention.events;
    const now = new Date().toISOString();
    await ok(
      as.person,
      'mutation($e: [AttentionEventInput!]!) { recordAttention(events: $e) { accepted } }',
      {
        e: [
          {
            clientId: clientId('evt'),
            impressionId: clientId('imp'),
            sessionId: 'sess-subs',
            userId: PERSON,
            target: { type: 'ITEM', id: 'itm-demo-sports-01' },
            type: 'IMPRESSION',
            occurredAt: now,
          },
        ],
      },
    );
    const data = await received.firstData(30_000);
    expect(data.attentionChanged.user.id).toBe(PERSON);
    expect(data.attentionChanged.user.displayName).toMatch(/\S/);
    expect(data.attentionChanged.events).toBeGreaterThanOrEqual(1);
    expect(data.attentionChanged.user.attention.events).toBeGreaterThan(before);
    expect(Date.parse(data.attentionChanged.at)).not.toBeNaN();
    expect(received.payloads[0]?.errors).toBeUndefined();
  }, 60_000);
});

describe('recommendationsUpdated (SSE)', () => {
  it('pushes fresh recommendations from the recommendation subgraph', async () => {
    const { received, stop } = subscribeSse<{
      recommendationsUpdated: {
        reason: string;
        modelVersion: string | null;
        user: {
          id: string;
          displayName: string;
          recommendations: { edges: { node: { id: string; title: string } }[] };
        };
      };
    }>(
      gateway.url,
      as.person,
      `subscription($u: ID!) { recommendationsUpdated(userId: $u) {
        reason modelVersion
        user { id displayName recommendations(first: 3) { edges { node { id title } } } }
      } }`,
      { u: PERSON },
    );
    stops.push(stop);
    await new Promise((r) => setTimeout(r, 1_000));
    // The event as the recommendation subgraph publishes it (closedLoop.int.test.ts sends it for real).
    await bus.publish([
      meshEvent(
        'recommendations.updated',
        { __typename: 'User', id: PERSON },
        { reason: 'MODEL', modelVersion: 'v-test', at: Date.now() },
        { userId: PERSON },
      ),
    ]);
    const data = await received.firstData(30_000);
    expect(data.recommendationsUpdated.reason).toBe('MODEL');
    expect(data.recommendationsUpdated.modelVersion).toBe('v-test');
    expect(data.recommendationsUpdated.user.displayName).toMatch(/\S/);
    const edges = data.recommendationsUpdated.user.recommendations.edges;
    expect(edges.length).toBeGreaterThan(0);
    expect(edges.length).toBeLessThanOrEqual(3);
    expect(edges[0]?.node.title).toMatch(/\S/);
  }, 60_000);
});

describe('feedbackReceived (graphql-ws)', () => {
  it("pushes the target's fields from recommendation and feedback after submitFeedback", async () => {
    const received = ws<{
      feedbackReceived: {
        feedback: { id: string };
        target: { __typename: string; id: string; title?: string; feedbackSummary?: { likes: number } };
        at: string;
      };
    }>(
      as.analyst,
      `subscription($t: ID!) { feedbackReceived(targetId: $t) {
        at feedback { id }
        target { __typename ... on Item { id title feedbackSummary { likes } } }
      } }`,
      { t: 'itm-demo-sports-02' },
    );
    await new Promise((r) => setTimeout(r, 500));
    const submitted = await ok<{ submitFeedback: { feedback: { id: string } } }>(
      as.person,
      'mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { feedback { id } } }',
      {
        input: {
          clientId: clientId('fb'),
          userId: PERSON,
          target: { type: 'ITEM', id: 'itm-demo-sports-02' },
          kind: 'LIKE',
        },
      },
    );
    const data = await received.firstData(30_000);
    expect(data.feedbackReceived.feedback.id).toBe(submitted.submitFeedback.feedback.id);
    expect(data.feedbackReceived.target).toMatchObject({ __typename: 'Item', id: 'itm-demo-sports-02' });
    expect(data.feedbackReceived.target.title).toMatch(/\S/);
    expect(data.feedbackReceived.target.feedbackSummary?.likes).toBeGreaterThanOrEqual(1);
  }, 60_000);
});

describe('campaignDelivery (graphql-ws)', () => {
  it("pushes the campaign's state from ads to its advertiser's member after requestAds + recordAdEvent", async () => {
    type Decision = {
      requestAds: {
        impressionToken: string | null;
        noFillReason: string | null;
        ad: { id: string; campaign: { id: string; advertiser: { id: string } } } | null;
      };
    };
    // The pacing controller may hold a campaign back for a while: ask again until one fills.
    let decision: Decision | undefined;
    for (let i = 0; i < 20 && !decision?.requestAds.ad; i++) {
      if (i) await new Promise((r) => setTimeout(r, 250));
      decision = await ok<Decision>(
        as.admin,
        'mutation { requestAds(input: { placementId: "plc-demo-top", context: { country: "FR", device: "desktop", category: "travel" } }) { impressionToken noFillReason ad { id campaign { id advertiser { id } } } } }',
      );
    }
    if (!decision) return;
    const ad = decision.requestAds.ad;
    expect(ad, `the demo world fills plc-demo-top (${decision.requestAds.noFillReason})`).not.toBeNull();
    if (!ad || !decision.requestAds.impressionToken) return;
    const member = await bearer({
      sub: 'usr-adv-owner',
      scope: 'ads:write',
      advertiser_id: ad.campaign.advertiser.id,
    });
    const received = ws<{
      campaignDelivery: {
        kind: string;
        viewable: boolean;
        ad: { id: string; name: string };
        campaign: { id: string; name: string; spentMicros: number; advertiser: { id: string; name: string } };
      };
    }>(
      member,
      `subscription($c: ID!) { campaignDelivery(campaignId: $c) {
        kind viewable ad { id name } campaign { id name spentMicros advertiser { id name } }
      } }`,
      { c: ad.campaign.id },
    );
    await new Promise((r) => setTimeout(r, 500));
    await ok({}, 'mutation($t: String!) { recordAdEvent(input: { token: $t }) { duplicate } }', {
      t: decision.requestAds.impressionToken,
    });
    const data = await received.firstData(30_000);
    expect(data.campaignDelivery.kind).toBe('IMPRESSION');
    expect(data.campaignDelivery.ad).toMatchObject({ id: ad.id });
    expect(data.campaignDelivery.ad.name).toMatch(/\S/);
    expect(data.campaignDelivery.campaign.id).toBe(ad.campaign.id);
    expect(data.campaignDelivery.campaign.advertiser.id).toBe(ad.campaign.advertiser.id);
    expect(data.campaignDelivery.campaign.advertiser.name).toMatch(/\S/);
    expect(typeof data.campaignDelivery.campaign.spentMicros).toBe('number');
  }, 60_000);
});

describe('access at subscribe time', () => {
  const codes = async (headers: Headers, query: string, variables: Record<string, unknown>) => {
    const received = ws(headers, query, variables);
    await received.until((r) => r.completed, 15_000);
    return (received.error as { extensions?: { code?: string } }[] | undefined)?.map(
      (e) => e.extensions?.code,
    );
  };

  it("refuses a person another user's stream (FORBIDDEN), and anonymous callers (UNAUTHENTICATED)", async () => {
    expect(await codes(as.person, ATTENTION, { u: OTHER })).toEqual(['FORBIDDEN']);
    expect(await codes({}, ATTENTION, { u: PERSON })).toEqual(['UNAUTHENTICATED']);
    expect(
      await codes(as.person, 'subscription { recommendationsUpdated(userId: "usr-demo-02") { at } }', {}),
    ).toEqual(['FORBIDDEN']);
  });

  it('refuses API keys: the partner contract has no subscriptions', async () => {
    expect(await codes(publisher, ATTENTION, { u: PERSON })).toEqual(['FORBIDDEN']);
  });

  it("refuses an advertiser member another advertiser's campaign, and a person any campaign", async () => {
    const q = 'subscription($c: ID!) { campaignDelivery(campaignId: $c) { kind campaign { id } } }';
    // cmp-demo-3 is adv-demo-2's.
    expect(await codes(as.advertiser, q, { c: 'cmp-demo-3' })).toEqual(['FORBIDDEN']);
    expect(await codes(as.person, q, { c: 'cmp-demo-1' })).toEqual(['FORBIDDEN']);
    // Its own campaign is accepted (no error before an event).
    const own = ws(as.advertiser, q, { c: 'cmp-demo-1' });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(own.completed).toBe(false);
  });

  it('bounds the argument (BAD_USER_INPUT naming it) and applies the depth limit', async () => {
    expect(await codes(as.person, ATTENTION, { u: 'u'.repeat(129) })).toEqual(['BAD_USER_INPUT']);
    const deep = `subscription { feedbackReceived(targetId: "itm-demo-sports-01") { target { ... on Item { similar(first: 1) { item { similar(first: 1) { item { similar(first: 1) { item { similar(first: 1) { item { similar(first: 1) { item { similar(first: 1) { item { id } } } } } } } } } } } } } } } }`;
    expect(await codes(as.analyst, deep, {})).toEqual(['DEPTH_LIMIT']);
  });

  it('closes a connection with a bad credential with 4401', async () => {
    let closed: { code: number; reason: string } | undefined;
    const c = client({ authorization: 'Bearer not-a-jwt' }, gateway.url, (e) => {
      closed = e;
    });
    const s = subscribeWs(c, ATTENTION, { u: PERSON });
    await s.received.until((r) => r.completed, 15_000);
    expect(closed?.code).toBe(4401);
  });

  it('refuses a subscription sent as HTTP POST with 400 and a clear error', async () => {
    const res = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...as.person },
      body: JSON.stringify({ query: ATTENTION, variables: { u: PERSON } }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('BAD_REQUEST');
    expect(body.errors[0]?.message).toMatch(/graphql-ws/);
  });

  it('answers a refused SSE subscription with its HTTP status and code', async () => {
    const res = await fetch(sseUrlOf(gateway.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...as.person },
      body: JSON.stringify({ query: ATTENTION, variables: { u: OTHER } }),
    });
    expect(res.status).toBe(403);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('FORBIDDEN');
  });
});

describe('a small gateway (queue of 3, 2 subscriptions per connection)', () => {
  let small: RunningGateway;

  beforeAll(async () => {
    const env: Record<string, string> = {
      NODE_ENV: 'test',
      PORT: '0',
      JWT_SECRET: TEST_JWT_SECRET,
      MONGODB_URI: inject('mongoUri'),
      EVENT_BUS_DB: mesh.busDbName,
      SUBSCRIPTION_QUEUE_SIZE: '3',
      SUBSCRIPTIONS_MAX_PER_CONNECTION: '2',
    };
    for (const s of mesh.subgraphs) env[`SUBGRAPH_${s.name.toUpperCase()}_URL`] = s.url;
    small = await startGateway(loadGatewayConfig(env));
  }, 60_000);

  afterAll(async () => {
    await small?.stop();
  });

  it('refuses a third subscription on one connection with SUBSCRIPTION_LIMIT', async () => {
    const c = client(as.person, small.url);
    const q = `subscription { attentionChanged(userId: "${PERSON}") { at } }`;
    const first = subscribeWs(c, q);
    const second = subscribeWs(c, q);
    stops.push(first.stop, second.stop);
    await new Promise((r) => setTimeout(r, 1_000));
    const third = subscribeWs(c, q);
    await third.received.until((r) => r.completed, 15_000);
    expect((third.received.error as { extensions?: { code?: string } }[])[0]?.extensions?.code).toBe(
      'SUBSCRIPTION_LIMIT',
    );
    expect(first.received.completed || second.received.completed).toBe(false);
    first.stop();
    second.stop();
    await new Promise((r) => setTimeout(r, 300));
  });

  it('closes a subscription with 4413 once its queue is full, and lets it go', async () => {
    let closed: { code: number; reason: string } | undefined;
    const c = client(as.analyst, small.url, (e) => {
      closed = e;
    });
    const target = `itm-slow-${Date.now().toString(36)}`;
    const s = subscribeWs(
      c,
      `subscription { feedbackReceived(targetId: "${target}") { at feedback { id } target { ... on Item { id title } } } }`,
    );
    stops.push(s.stop);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(small.openSubscriptions()).toBe(1);
    // 40 distinct signals at once: each is its own entity (nothing coalesces), far more than 3 pending.
    const at = Date.now();
    await bus.publish(
      Array.from({ length: 40 }, (_, i) =>
        meshEvent(
          'feedback.received',
          { __typename: 'Feedback', id: `fb-slow-${at}-${i}` },
          {
            feedbackId: `fb-slow-${at}-${i}`,
            kind: 'LIKE',
            targetType: 'ITEM',
            targetId: target,
            rating: null,
            dwellMs: null,
            reason: null,
            occurredAt: at,
          },
          { userId: PERSON },
        ),
      ),
    );
    await s.received.until((r) => r.completed, 30_000);
    expect(closed?.code).toBe(4413);
    expect(closed?.reason).toMatch(/slow consumer/);
    expect(s.received.payloads.length).toBeLessThan(40);
    await new Promise((r) => setTimeout(r, 200));
    expect(small.openSubscriptions()).toBe(0);
  }, 60_000);
});

describe('Query.eventConsumers', () => {
  it("lists the bus's durable consumers with their lag, for admins only", async () => {
    const data = await ok<{
      eventConsumers: {
        consumer: string;
        pending: number;
        oldestPendingAt: string | null;
        deadLetters: number;
      }[];
    }>(as.admin, '{ eventConsumers { consumer partition pending oldestPendingAt deadLetters } }');
    const names = data.eventConsumers.map((c) => c.consumer);
    expect(names).toEqual(
      expect.arrayContaining([
        'recommendation.sequences',
        'ads.feedback',
        'attention.feedback',
        'feedback.impressions',
      ]),
    );
    // The gateway's own live subscription keeps no position: it is not a durable consumer.
    expect(names.some((n) => n.startsWith('gateway-subscriptions'))).toBe(false);
    for (const c of data.eventConsumers) {
      expect(c.pending).toBeGreaterThanOrEqual(0);
      expect(c.deadLetters).toBeGreaterThanOrEqual(0);
      if (c.oldestPendingAt !== null) expect(Number.isNaN(Date.parse(c.oldestPendingAt))).toBe(false);
    }
    for (const headers of [as.analyst, as.person, {}]) {
      const refused = await gql(gateway.url, '{ eventConsumers { consumer } }', {}, headers);
      expect(refused.data?.eventConsumers ?? null).toBeNull();
      expect(refused.errors?.[0]?.extensions?.code).toMatch(/^(FORBIDDEN|UNAUTHENTICATED)$/);
    }
  });
});

describe('a gateway reading the NATS adapter (EVENT_BUS=nats)', () => {
  let nats: NatsServer;
  let natsGateway: RunningGateway;
  let natsBus: EventBus;

  beforeAll(async () => {
    nats = await startNatsServer();
    const env: Record<string, string> = {
      NODE_ENV: 'test',
      PORT: '0',
      JWT_SECRET: TEST_JWT_SECRET,
      MONGODB_URI: inject('mongoUri'),
      EVENT_BUS: 'nats',
      NATS_URL: nats.url,
      NATS_STREAM: 'gateway_test',
    };
    for (const s of mesh.subgraphs) env[`SUBGRAPH_${s.name.toUpperCase()}_URL`] = s.url;
    natsGateway = await startGateway(loadGatewayConfig(env));
    natsBus = await NatsEventBus.connect({
      url: nats.url,
      stream: 'gateway_test',
      logger: createLogger({ service: 'gateway', level: 'warn', pretty: false }),
    });
  }, 60_000);

  afterAll(async () => {
    await natsGateway?.stop();
    await natsBus?.close();
    await nats?.stop();
  });

  it('pushes an event published on JetStream, resolved through the graph, over graphql-ws', async () => {
    const s = subscribeWs<{
      recommendationsUpdated: { reason: string; user: { id: string; displayName: string } };
    }>(
      client(as.person, natsGateway.url),
      'subscription($u: ID!) { recommendationsUpdated(userId: $u) { reason user { id displayName } } }',
      { u: PERSON },
    );
    stops.push(s.stop);
    await new Promise((r) => setTimeout(r, 1_000));
    await natsBus.publish([
      meshEvent(
        'recommendations.updated',
        { __typename: 'User', id: PERSON },
        { reason: 'HIDDEN', modelVersion: null, at: Date.now() },
        { userId: PERSON },
      ),
    ]);
    const data = await s.received.firstData(30_000);
    expect(data.recommendationsUpdated.reason).toBe('HIDDEN');
    expect(data.recommendationsUpdated.user).toEqual({
      id: PERSON,
      displayName: expect.stringMatching(/\S/),
    });
  }, 60_000);
});
