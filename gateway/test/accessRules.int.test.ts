import { readFileSync } from 'node:fs';
import { createDemoApiKey, demoCallers, parseTokenArgs } from '@attention-mesh/mesh';
import { errorCodes, type GraphQLResponse, gql } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningGateway } from '../src/server.js';
import { type DemoMesh, startDemoMesh } from './support/demoMesh.js';
import { adminBearer, bearer, TEST_JWT_SECRET } from './support/jwt.js';

/**
 * The access rules of the README's table, each row allowed and refused, through the gateway over the
 * five real subgraphs and the demo world.
 */

let mesh: DemoMesh;
let gateway: RunningGateway;
type Headers = Record<string, string>;
const as: Record<'anonymous' | 'person' | 'advertiser' | 'analyst' | 'admin', Headers> = {
  anonymous: {},
  person: {},
  advertiser: {},
  analyst: {},
  admin: {},
};
let publisher: Headers;
let publisherKeyId: string;

const PERSON = 'usr-demo-01';
const OTHER = 'usr-demo-02';
const HOUR = 3_600_000;
const RANGE = {
  from: new Date(Date.now() - 30 * 24 * HOUR).toISOString(),
  to: new Date(Date.now() + HOUR).toISOString(),
};

const call = <T = Record<string, unknown>>(headers: Headers, query: string, variables = {}) =>
  gql<T>(gateway.url, query, variables, headers);

async function ok<T = Record<string, unknown>>(headers: Headers, query: string, variables = {}): Promise<T> {
  const res = await call<T>(headers, query, variables);
  expect(res.errors).toBeUndefined();
  return res.data as T;
}

/** The one error of a refused field: its code and path, the field itself null. */
function refused(res: GraphQLResponse<unknown>, code: 'UNAUTHENTICATED' | 'FORBIDDEN', path: string[]) {
  expect(errorCodes(res)).toEqual([code]);
  expect(res.errors?.[0]?.path).toEqual(path);
  let data = res.data as Record<string, unknown> | null | undefined;
  for (const key of path.slice(0, -1)) data = data?.[key] as Record<string, unknown> | undefined;
  expect(data?.[path.at(-1) as string] ?? null).toBeNull();
}

let n = 0;
const clientId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${n++}`;
const event = (who: { userId?: string; anonymousId?: string }) => ({
  clientId: clientId('evt'),
  impressionId: clientId('imp'),
  sessionId: 'sess-rules',
  target: { type: 'ITEM', id: 'itm-demo-001' },
  type: 'IMPRESSION',
  occurredAt: new Date().toISOString(),
  ...who,
});
const RECORD = 'mutation($e: [AttentionEventInput!]!) { recordAttention(events: $e) { accepted } }';
const eventsOf = async (userId: string) =>
  (
    await ok<{ user: { attention: { events: number } } }>(
      as.admin,
      'query($id: ID!) { user(id: $id) { attention { events } } }',
      { id: userId },
    )
  ).user.attention.events;

beforeAll(async () => {
  // A short API-key cache, so a revoked key is seen to stop within the test.
  mesh = await startDemoMesh(inject('mongoUri'), { API_KEY_CACHE_MS: '500' });
  gateway = mesh.gateway;
  as.admin = await adminBearer();
  as.person = await bearer({ sub: PERSON });
  as.advertiser = await bearer({ sub: 'usr-adv-member', scope: 'ads:write', advertiser_id: 'adv-demo-1' });
  as.analyst = await bearer({ sub: 'usr-analyst', scope: 'analytics:read' });
  const created = await ok<{ createApiKey: { key: string; apiKey: { id: string } } }>(
    as.admin,
    'mutation { createApiKey(input: { partnerId: "pub-demo", name: "rules test", scopes: ["ads:request", "events:write"] }) { key apiKey { id } } }',
  );
  publisher = { 'x-api-key': created.createApiKey.key };
  publisherKeyId = created.createApiKey.apiKey.id;
  await ok(
    as.admin,
    'mutation { createPlacement(input: { id: "plc-other", name: "Another publisher", width: 300, height: 250, publisherId: "pub-other" }) { id } }',
  );
}, 240_000);

afterAll(async () => {
  await mesh?.stop();
});

describe('anonymous callers', () => {
  it('may sign up and read the public catalogue', async () => {
    const data = await ok<{ createUser: { id: string } }>(
      as.anonymous,
      'mutation { createUser(input: { displayName: "New person" }) { id } }',
    );
    expect(data.createUser.id).toMatch(/\S/);
    const catalogue = await ok<{ items: { edges: { node: { id: string; similar: unknown[] } }[] } }>(
      as.anonymous,
      '{ items(first: 2) { edges { node { id title similar(first: 2) { item { id } } } } } item(id: "itm-demo-001") { title } }',
    );
    expect(catalogue.items.edges).toHaveLength(2);
  });

  it('see nothing personal: the field is null with UNAUTHENTICATED at its path, the rest resolves', async () => {
    const res = await call<{ items: { edges: unknown[] } }>(
      as.anonymous,
      `{ items(first: 1) { edges { node { id } } } user(id: "${PERSON}") { email } }`,
    );
    refused(res, 'UNAUTHENTICATED', ['user']);
    expect(res.data?.items.edges).toHaveLength(1);
    refused(await call(as.anonymous, '{ users(first: 1) { edges { node { id } } } }'), 'UNAUTHENTICATED', [
      'users',
    ]);
    const created = await call<{ createUser: { id: string; email: string | null } }>(
      as.anonymous,
      'mutation { createUser(input: { displayName: "Curious", email: "c@example.com" }) { id email } }',
    );
    expect(created.data?.createUser.id).toMatch(/\S/);
    refused(created, 'UNAUTHENTICATED', ['createUser', 'email']);
  });

  it('may not write anything else, and nothing changes', async () => {
    refused(
      await call(
        as.anonymous,
        `mutation { updateConsent(userId: "${PERSON}", consent: { analytics: false }) { id } }`,
      ),
      'UNAUTHENTICATED',
      ['updateConsent'],
    );
    const consent = await ok<{ user: { consent: { analytics: boolean } } }>(
      as.admin,
      `{ user(id: "${PERSON}") { consent { analytics } } }`,
    );
    expect(consent.user.consent.analytics).toBe(true);
    refused(
      await call(as.anonymous, 'mutation { createAdvertiser(input: { name: "Nobody" }) { id } }'),
      'UNAUTHENTICATED',
      ['createAdvertiser'],
    );
    const before = await eventsOf(PERSON);
    refused(await call(as.anonymous, RECORD, { e: [event({ userId: PERSON })] }), 'UNAUTHENTICATED', [
      'recordAttention',
    ]);
    expect(await eventsOf(PERSON)).toBe(before);
  });
});

describe('a person', () => {
  it('reads their own profile, consent, attention, feedback, recommendations and ad exposure', async () => {
    // The recommendation subgraph knows the user once it has read the seed's events.
    await expect
      .poll(
        async () =>
          errorCodes(await call(as.person, '{ me { recommendations(first: 1) { edges { cursor } } } }')),
        {
          timeout: 20_000,
        },
      )
      .toEqual([]);
    const data = await ok<{ me: { id: string; email: string; attention: { events: number } } }>(
      as.person,
      `{ me { id displayName email consent { analytics } attention { events }
          feedback(first: 1) { edges { node { kind } } }
          recommendations(first: 2) { edges { node { id } } }
          adExposure { impressions } } }`,
    );
    expect(data.me.id).toBe(PERSON);
    expect(data.me.email).toMatch(/@/);
    expect(data.me.attention.events).toBeGreaterThan(0);
  });

  it("is refused another person's data", async () => {
    const res = await call<{ me: { id: string } }>(
      as.person,
      `{ me { id } other: user(id: "${OTHER}") { email } }`,
    );
    refused(res, 'FORBIDDEN', ['other']);
    expect(res.data?.me.id).toBe(PERSON);
    // `users` is non-null: its denial nulls the whole answer, as GraphQL propagates nulls.
    expect(errorCodes(await call(as.person, '{ users(first: 1) { edges { node { id } } } }'))).toEqual([
      'FORBIDDEN',
    ]);
  });

  it('updates their own profile and consent, not another person’s', async () => {
    const updated = await ok<{ updateUser: { displayName: string } }>(
      as.person,
      `mutation { updateUser(id: "${PERSON}", input: { displayName: "Ada One" }) { displayName } }`,
    );
    expect(updated.updateUser.displayName).toBe('Ada One');
    await ok(
      as.person,
      `mutation { updateConsent(userId: "${PERSON}", consent: { analytics: true }) { id } }`,
    );
    refused(
      await call(
        as.person,
        `mutation { updateUser(id: "${OTHER}", input: { displayName: "Mallory" }) { id } }`,
      ),
      'FORBIDDEN',
      ['updateUser'],
    );
    const other = await ok<{ user: { displayName: string } }>(
      as.admin,
      `{ user(id: "${OTHER}") { displayName } }`,
    );
    expect(other.user.displayName).not.toBe('Mallory');
  });

  it('records attention and feedback for themselves only', async () => {
    const mine = await ok<{ recordAttention: { accepted: number } }>(as.person, RECORD, {
      e: [event({ userId: PERSON })],
    });
    expect(mine.recordAttention.accepted).toBe(1);
    const before = await eventsOf(OTHER);
    const res = await call(as.person, RECORD, { e: [event({ userId: PERSON }), event({ userId: OTHER })] });
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
    expect(res.errors?.[0]?.extensions?.index).toBe(1);
    expect(await eventsOf(OTHER)).toBe(before);
    const feedback = (userId: string) => ({
      input: { clientId: clientId('fb'), userId, target: { type: 'ITEM', id: 'itm-demo-002' }, kind: 'LIKE' },
    });
    const SUBMIT = 'mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { duplicate } }';
    await ok(as.person, SUBMIT, feedback(PERSON));
    refused(await call(as.person, SUBMIT, feedback(OTHER)), 'FORBIDDEN', ['submitFeedback']);
  });

  it('may not use analytics or the admin writes', async () => {
    refused(
      await call(
        as.person,
        'query($from: DateTime!, $to: DateTime!) { attentionSeries(metric: IMPRESSIONS, granularity: DAY, from: $from, to: $to) { key } }',
        RANGE,
      ),
      'FORBIDDEN',
      ['attentionSeries'],
    );
    refused(
      await call(
        as.person,
        'mutation { createItem(input: { id: "itm-by-person", title: "Mine", kind: ARTICLE, category: "news" }) { id } }',
      ),
      'FORBIDDEN',
      ['createItem'],
    );
    expect(
      (await ok<{ item: unknown }>(as.anonymous, '{ item(id: "itm-by-person") { id } }')).item,
    ).toBeNull();
  });
});

describe('an advertiser member', () => {
  it("lists, reads and changes their advertiser's campaigns", async () => {
    const data = await ok<{ campaigns: { edges: { node: { id: string; advertiser: { id: string } } }[] } }>(
      as.advertiser,
      '{ campaigns(first: 50) { edges { node { id advertiser { id } } } } }',
    );
    expect(data.campaigns.edges.length).toBeGreaterThan(0);
    expect(new Set(data.campaigns.edges.map((e) => e.node.advertiser.id))).toEqual(new Set(['adv-demo-1']));
    await ok(
      as.advertiser,
      'query($from: DateTime!, $to: DateTime!) { campaign(id: "cmp-demo-1") { delivery(from: $from, to: $to) { total { impressions } } pacing { spentTodayMicros } } }',
      RANGE,
    );
    const paused = await ok<{ setCampaignStatus: { status: string } }>(
      as.advertiser,
      'mutation { setCampaignStatus(id: "cmp-demo-1", status: PAUSED) { status } }',
    );
    expect(paused.setCampaignStatus.status).toBe('PAUSED');
    await ok(as.advertiser, 'mutation { setCampaignStatus(id: "cmp-demo-1", status: ACTIVE) { status } }');
  });

  it("never touches another advertiser's campaigns and ads, nor placements", async () => {
    refused(
      await call(
        as.advertiser,
        'query($from: DateTime!, $to: DateTime!) { campaign(id: "cmp-demo-3") { delivery(from: $from, to: $to) { total { impressions } } } }',
        RANGE,
      ),
      'FORBIDDEN',
      ['campaign'],
    );
    refused(
      await call(
        as.advertiser,
        'mutation { setCampaignStatus(id: "cmp-demo-3", status: PAUSED) { status } }',
      ),
      'FORBIDDEN',
      ['setCampaignStatus'],
    );
    const theirs = await ok<{ campaign: { status: string; ads: { id: string }[] } }>(
      as.admin,
      '{ campaign(id: "cmp-demo-3") { status ads { id } } }',
    );
    expect(theirs.campaign.status).toBe('ACTIVE');
    const adId = theirs.campaign.ads[0]?.id;
    refused(
      await call(
        as.advertiser,
        'mutation($id: ID!) { updateAd(id: $id, input: { landingUrl: "https://evil.example" }) { id } }',
        { id: adId },
      ),
      'FORBIDDEN',
      ['updateAd'],
    );
    const ad = await ok<{ ad: { landingUrl: string } }>(
      as.admin,
      'query($id: ID!) { ad(id: $id) { landingUrl } }',
      { id: adId },
    );
    expect(ad.ad.landingUrl).not.toBe('https://evil.example');
    refused(
      await call(
        as.advertiser,
        'mutation { updatePlacement(id: "plc-demo-top", input: { floorMicros: 99000000 }) { id } }',
      ),
      'FORBIDDEN',
      ['updatePlacement'],
    );
  });
});

describe('a publisher key', () => {
  it('requests ads for its placements and records attention of anonymous ids', async () => {
    const decision = await ok<{ requestAds: { id: string; impressionToken: string | null } }>(
      publisher,
      'mutation { requestAds(input: { placementId: "plc-demo-top", context: { country: "FR", device: "desktop" } }) { id impressionToken } }',
    );
    expect(decision.requestAds.id).toMatch(/\S/);
    const recorded = await ok<{ recordAttention: { accepted: number } }>(publisher, RECORD, {
      e: [event({ anonymousId: 'anon-rules-1' })],
    });
    expect(recorded.recordAttention.accepted).toBe(1);
    // A person signed in through the publisher: the key with the person's token.
    const through = await ok<{ recordAttention: { accepted: number } }>(
      { ...publisher, ...as.person },
      RECORD,
      {
        e: [event({ userId: PERSON })],
      },
    );
    expect(through.recordAttention.accepted).toBe(1);
    if (decision.requestAds.impressionToken) {
      // The signed token is the authority of recordAdEvent: no identity needed.
      await ok(as.anonymous, 'mutation($t: String!) { recordAdEvent(input: { token: $t }) { duplicate } }', {
        t: decision.requestAds.impressionToken,
      });
    }
  });

  it("is refused other publishers' placements and users who did not sign in through it", async () => {
    refused(
      await call(publisher, 'mutation { requestAds(input: { placementId: "plc-other" }) { id } }'),
      'FORBIDDEN',
      ['requestAds'],
    );
    const before = await eventsOf(OTHER);
    const res = await call(publisher, RECORD, { e: [event({ userId: OTHER })] });
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
    expect(await eventsOf(OTHER)).toBe(before);
  });

  it('sees only the public contract, introspection included', async () => {
    const res = await call(publisher, '{ users(first: 1) { edges { node { id } } } }');
    expect(errorCodes(res)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const schema = await ok<{ __schema: { types: { name: string }[] } }>(
      publisher,
      '{ __schema { types { name } } }',
    );
    const names = schema.__schema.types.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['Item', 'AdDecision', 'AttentionEventInput']));
    expect(names).not.toEqual(expect.arrayContaining(['ApiKey']));
    expect(names.filter((t) => ['Campaign', 'ApiKey', 'Consent', 'CampaignPacing'].includes(t))).toEqual([]);
  });
});

describe('an analyst', () => {
  it('reads series, breakdowns, any campaign delivery, exposure and model info', async () => {
    await ok(
      as.analyst,
      `query($from: DateTime!, $to: DateTime!) {
        attentionSeries(metric: IMPRESSIONS, granularity: DAY, from: $from, to: $to) { key points { at value } }
        attentionBreakdown(by: COUNTRY, metric: ENGAGED_SECONDS, from: $from, to: $to) { key value }
        campaign(id: "cmp-demo-3") { delivery(from: $from, to: $to) { total { impressions spendMicros } } }
        recommendationExposure { gini }
        modelInfo { status }
      }`,
      RANGE,
    );
  });

  it("never sees emails, a person's attention or per-user figures, and writes nothing", async () => {
    refused(await call(as.analyst, `{ user(id: "${PERSON}") { email } }`), 'FORBIDDEN', ['user']);
    refused(await call(as.analyst, `{ user(id: "${PERSON}") { attention { events } } }`), 'FORBIDDEN', [
      'user',
    ]);
    refused(
      await call(
        as.analyst,
        'query($from: DateTime!, $to: DateTime!) { attentionBreakdown(by: USER, metric: EVENTS, from: $from, to: $to) { key } }',
        RANGE,
      ),
      'FORBIDDEN',
      ['attentionBreakdown'],
    );
    refused(
      await call(as.analyst, 'mutation { setCampaignStatus(id: "cmp-demo-3", status: PAUSED) { status } }'),
      'FORBIDDEN',
      ['setCampaignStatus'],
    );
  });
});

describe('an admin', () => {
  it('creates items, advertisers and placements and lists users with their emails', async () => {
    await ok(
      as.admin,
      `mutation {
        createItem(input: { id: "itm-by-admin", title: "Editorial", kind: ARTICLE, category: "news" }) { id }
        createAdvertiser(input: { id: "adv-by-admin", name: "New advertiser" }) { id }
        createPlacement(input: { id: "plc-by-admin", name: "Footer", width: 728, height: 90, publisherId: "pub-demo" }) { id }
      }`,
    );
    const users = await ok<{ users: { edges: { node: { email: string | null } }[] } }>(
      as.admin,
      '{ users(first: 3) { edges { node { id email } } } }',
    );
    expect(users.users.edges.some((e) => e.node.email?.includes('@'))).toBe(true);
  });

  it('lists API keys without their secrets; a revoked key stops within the cache time', async () => {
    const listed = await call(
      as.admin,
      '{ apiKeys(partnerId: "pub-demo") { edges { node { id prefix scopes revokedAt } } } }',
    );
    expect(JSON.stringify(listed.data)).not.toContain(publisher['x-api-key']);
    expect(JSON.stringify(listed.data)).toContain(publisherKeyId);
    refused(await call(publisher, '{ me { id } }'), 'FORBIDDEN', ['me']);
    await ok(as.admin, 'mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }', { id: publisherKeyId });
    let status = 200;
    for (let i = 0; i < 30 && status !== 401; i++) {
      await new Promise((r) => setTimeout(r, 200));
      status = (await call(publisher, '{ items(first: 1) { edges { node { id } } } }')).status;
    }
    expect(status).toBe(401);
  });

  it('cannot reach what is internal to the mesh', async () => {
    const res = await call(as.admin, '{ apiKeyIdentity(key: "amk_0123456789_x") { partnerId } }');
    expect(errorCodes(res)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });
});

describe("the README's examples", () => {
  const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it('run as written with the callers `npm start` prints', async () => {
    const credentials: Record<string, Headers> = { ANONYMOUS: {} };
    for (const c of await demoCallers('adv-demo-1', TEST_JWT_SECRET))
      credentials[c.name] = { authorization: `Bearer ${c.token}` };
    const key = await createDemoApiKey(gateway.url, (credentials.ADMIN?.authorization ?? '').slice(7));
    expect(key).toHaveProperty('key');
    if ('key' in key) credentials.API_KEY = { 'x-api-key': key.key };

    const examples: { as: string; query: string }[] = [];
    for (const m of README.matchAll(/```graphql\n# as ([A-Z_]+)\n([\s\S]*?)```/g))
      examples.push({ as: m[1] as string, query: m[2] as string });
    for (const m of README.matchAll(
      /^curl .*-H "(?:Authorization: Bearer|x-api-key:) \$([A-Z_]+)" -d '(.*)'$/gm,
    ))
      examples.push({ as: m[1] as string, query: (JSON.parse(m[2] as string) as { query: string }).query });
    expect(examples.length).toBeGreaterThanOrEqual(7);
    for (const example of examples) {
      const headers = credentials[example.as];
      expect(headers, `README example as ${example.as}`).toBeDefined();
      const res = await call(headers as Headers, example.query);
      expect({ as: example.as, errors: res.errors }).toEqual({ as: example.as, errors: undefined });
    }
  });

  it('gives token commands the tool accepts', () => {
    const commands = [...README.matchAll(/^npm run -s token -- (.*?)(?:\s+#.*)?$/gm)].map(
      (m) => m[1] as string,
    );
    expect(commands.length).toBeGreaterThan(0);
    for (const args of commands) {
      const argv = [...args.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? (m[2] as string));
      expect(parseTokenArgs(argv).sub).toMatch(/\S/);
    }
  });
});
