import { INTERNAL_CONTEXT_HEADER, type RunningSubgraph, signInternalContext } from '@attention-mesh/platform';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningGateway } from '../src/server.js';
import { type DemoMesh, startDemoMesh } from './support/demoMesh.js';
import { adminBearer, bearer, hs256 } from './support/jwt.js';

/**
 * The attack suite: what a hostile or careless client throws at the gateway and straight at a
 * subgraph. Every case must get a clear error with a 4xx (or a 200 with errors where GraphQL over HTTP
 * says so), never a 500, and leave every database as it was. The outcomes are printed as a table.
 */

const subgraphs: RunningSubgraph<unknown>[] = [];
let mesh: DemoMesh;
let gateway: RunningGateway;
let admin: Record<string, string>;
let person: Record<string, string>;
let revokedKey: string;

interface Outcome {
  status: number;
  codes: string[];
}

async function send(
  body: string | undefined,
  headers: Record<string, string> = {},
  url = gateway.url,
  method = 'POST',
): Promise<Outcome> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  let codes: string[] = [];
  try {
    const json = JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] };
    codes = (json.errors ?? []).map((e) => String(e.extensions?.code ?? 'NO_CODE'));
  } catch {
    codes = ['NOT_JSON'];
  }
  return { status: res.status, codes };
}
const op = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });

/**
 * What the mutations write, by collection: the records clients create (derived data that the event
 * consumers keep current in the background is left out: the seed's events may still be arriving).
 */
const WRITTEN = new Set([
  'users.users',
  'users.api_keys',
  'recommendation.items',
  'ads.advertisers',
  'ads.campaigns',
  'ads.ads',
  'ads.placements',
  'ads.decisions',
  'ads.ad_events',
  'ads.spend',
  'feedback.feedback',
  'attention.attention_events',
]);

/** Documents of those collections, and a digest of the placements and ads the attacks aim at. */
async function documentCounts(): Promise<Record<string, unknown>> {
  const counts: Record<string, unknown> = {};
  for (const s of subgraphs) {
    if (s.connection.readyState !== 1) continue;
    for (const c of await s.connection.listCollections())
      if (WRITTEN.has(`${s.name}.${c.name}`))
        counts[`${s.name}.${c.name}`] = await s.connection.collection(c.name).countDocuments();
  }
  const ads = subgraphs.find((s) => s.name === 'ads');
  counts.placements = await ads?.connection
    .collection('placements')
    .find({}, { projection: { floorMicros: 1 } })
    .toArray();
  counts.ads = await ads?.connection
    .collection('ads')
    .find({}, { projection: { landingUrl: 1 } })
    .toArray();
  const users = subgraphs.find((s) => s.name === 'users');
  counts.consent = await users?.connection
    .collection('users')
    .findOne({ _id: 'usr-demo-01' as never }, { projection: { consent: 1 } });
  return counts;
}

beforeAll(async () => {
  // No API-key cache: a revoked key is refused at once.
  mesh = await startDemoMesh(inject('mongoUri'), { API_KEY_CACHE_MS: '0' });
  gateway = mesh.gateway;
  subgraphs.push(...mesh.subgraphs);
  admin = await adminBearer();
  person = await bearer({ sub: 'usr-demo-01' });
  const created = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...admin },
    body: op(
      'mutation { createApiKey(input: { partnerId: "pub-demo", name: "to revoke", scopes: ["ads:request"] }) { key apiKey { id } } }',
    ),
  });
  const { data } = (await created.json()) as {
    data: { createApiKey: { key: string; apiKey: { id: string } } };
  };
  revokedKey = data.createApiKey.key;
  await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...admin },
    body: op('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: data.createApiKey.apiKey.id }),
  });
}, 240_000);

afterAll(async () => {
  await mesh?.stop();
});

const nested = (depth: number) => {
  let q = 'id';
  for (let i = 0; i < depth; i++) q = i % 2 === 0 ? `advertiser { campaigns { ${q} } }` : q;
  return `{ campaign(id: "cmp-demo-1") { ${q} } }`;
};
const aliases = (n: number) =>
  `{ ${Array.from({ length: n }, (_, i) => `a${i}: feedback(id: "x${i}") { id }`).join(' ')} }`;

describe('the attack suite', () => {
  it('refuses every case with a clear 4xx (or 200 with errors), never a 500, and changes nothing', async () => {
    const before = await documentCounts();
    const huge = 'x'.repeat(5 * 1024 * 1024);
    const users = subgraphs.find((s) => s.name === 'users')!;
    const cases: [string, () => Promise<Outcome>, string[]][] = [
      ['malformed JSON body', () => send('{"query": "{ items { edges'), ['BAD_REQUEST']],
      ['not a JSON object', () => send('"just a string"'), ['BAD_REQUEST']],
      [
        'wrong content type',
        () => send('{ items(first: 1) { edges { cursor } } }', { 'content-type': 'text/plain' }),
        ['BAD_REQUEST'],
      ],
      ['empty body', () => send(''), ['BAD_REQUEST']],
      [
        'batched flood (an array of operations)',
        () => send(JSON.stringify(Array.from({ length: 500 }, () => ({ query: '{ __typename }' })))),
        ['BAD_REQUEST'],
      ],
      ['syntax error', () => send(op('{ items(first: 1) { edges { cursor } }')), ['GRAPHQL_PARSE_FAILED']],
      [
        'fragment cycle',
        () =>
          send(
            op(
              'query { items(first: 1) { ...A } } fragment A on ItemConnection { ...B } fragment B on ItemConnection { ...A }',
            ),
          ),
        ['GRAPHQL_VALIDATION_FAILED'],
      ],
      ['depth 40', () => send(op(nested(40)), admin), ['DEPTH_LIMIT']],
      ['2,000 aliases', () => send(op(aliases(2000)), admin), ['TOKEN_LIMIT']],
      ['40 aliases', () => send(op(aliases(40)), admin), ['ALIAS_LIMIT']],
      [
        'a 5 MB string in createItem.url',
        () =>
          send(
            op('mutation($i: CreateItemInput!) { createItem(input: $i) { id } }', {
              i: { title: 'Huge', kind: 'ARTICLE', category: 'news', url: `https://x.example/${huge}` },
            }),
            admin,
          ),
        ['BAD_USER_INPUT'],
      ],
      [
        'a javascript: landing URL',
        () =>
          send(
            op(
              'mutation { updateAd(id: "ad-demo-1-1", input: { landingUrl: "javascript:alert(1)" }) { id } }',
            ),
            admin,
          ),
        ['BAD_USER_INPUT'],
      ],
      [
        'Micros 1e309 as a variable',
        () =>
          // Raw JSON: JSON.stringify would send Infinity as null.
          send(
            `{"query":"mutation($m: Micros!) { updatePlacement(id: \\"plc-demo-top\\", input: { floorMicros: $m }) { id } }","variables":{"m":1e309}}`,
            admin,
          ),
        ['BAD_USER_INPUT'],
      ],
      [
        'Micros 1.5',
        () =>
          send(
            op(
              'mutation($m: Micros!) { updatePlacement(id: "plc-demo-top", input: { floorMicros: $m }) { id } }',
              { m: 1.5 },
            ),
            admin,
          ),
        ['BAD_USER_INPUT'],
      ],
      [
        'Micros 2^63',
        () =>
          send(
            op(
              'mutation($m: Micros!) { updatePlacement(id: "plc-demo-top", input: { floorMicros: $m }) { id } }',
              { m: 2 ** 63 },
            ),
            admin,
          ),
        ['BAD_USER_INPUT'],
      ],
      [
        'Micros "100"',
        () =>
          send(
            op(
              'mutation($m: Micros!) { updatePlacement(id: "plc-demo-top", input: { floorMicros: $m }) { id } }',
              { m: '100' },
            ),
            admin,
          ),
        ['BAD_USER_INPUT'],
      ],
      [
        'Micros 1e309 literal',
        () =>
          send(
            op('mutation { updatePlacement(id: "plc-demo-top", input: { floorMicros: 1e309 }) { id } }'),
            admin,
          ),
        ['BAD_USER_INPUT'],
      ],
      ['negative first', () => send(op('{ items(first: -5) { edges { cursor } } }')), ['BAD_USER_INPUT']],
      [
        'first of a billion',
        () => send(op('{ items(first: 1000000000) { edges { cursor } } }')),
        ['COST_LIMIT'],
      ],
      [
        'an operator object as an id',
        () => send(op('query($id: ID!) { item(id: $id) { id } }', { id: { $ne: null } })),
        ['BAD_USER_INPUT'],
      ],
      [
        'an operator-shaped id string',
        () => send(op('query($id: ID!) { user(id: $id) { email } }', { id: '{"$ne": null}' }), person),
        ['FORBIDDEN'],
      ],
      [
        'a $where category',
        () =>
          send(
            op('query($c: String) { items(category: $c, first: 1) { edges { cursor } } }', {
              c: "'; return true; '$where",
            }),
          ),
        ['BAD_USER_INPUT'],
      ],
      [
        'operator-shaped consent input',
        () =>
          send(
            op('mutation($c: ConsentInput!) { updateConsent(userId: "usr-demo-01", consent: $c) { id } }', {
              c: { analytics: { $set: true } },
            }),
            person,
          ),
        ['BAD_USER_INPUT'],
      ],
      [
        'a forged bearer token',
        () =>
          send(op('{ me { id } }'), {
            authorization: `Bearer ${'a'.repeat(20)}.${'b'.repeat(20)}.${'c'.repeat(20)}`,
          }),
        ['UNAUTHENTICATED'],
      ],
      [
        'an unsigned token (alg none)',
        () =>
          send(op('{ me { id } }'), {
            authorization: `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(`{"sub":"usr-demo-01","exp":${Math.floor(Date.now() / 1000) + 60}}`).toString('base64url')}.`,
          }),
        ['UNAUTHENTICATED'],
      ],
      [
        'an expired token',
        async () =>
          send(op('{ me { id } }'), {
            authorization: `Bearer ${await hs256({ sub: 'usr-demo-01', exp: 1 })}`,
          }),
        ['UNAUTHENTICATED'],
      ],
      [
        'a token without exp',
        async () =>
          send(op('{ me { id } }'), {
            authorization: `Bearer ${await hs256({ sub: 'usr-demo-01', exp: undefined })}`,
          }),
        ['UNAUTHENTICATED'],
      ],
      [
        'a revoked API key',
        () => send(op('{ items(first: 1) { edges { cursor } } }'), { 'x-api-key': revokedKey }),
        ['UNAUTHENTICATED'],
      ],
      [
        'a made-up API key',
        () =>
          send(op('{ items(first: 1) { edges { cursor } } }'), {
            'x-api-key': 'amk_0123456789_notakeyatallnotakeyatallnotakeyatall1234',
          }),
        ['UNAUTHENTICATED'],
      ],
      [
        'a forged internal header straight to a subgraph',
        () =>
          send(
            op('mutation { updateConsent(userId: "usr-demo-01", consent: { analytics: false }) { id } }'),
            {
              [INTERNAL_CONTEXT_HEADER]: signInternalContext(
                { userId: 'usr-demo-01', scopes: ['admin'] },
                'a-guessed-secret-that-is-long-enough-1234',
              ),
            },
            users.url,
          ),
        ['UNAUTHENTICATED'],
      ],
      [
        'a subgraph called without the header, as nobody',
        () => send(op('{ users(first: 1) { edges { node { email } } } }'), {}, users.url),
        ['UNAUTHENTICATED'],
      ],
    ];
    const outcomes: { attack: string; status: number; codes: string }[] = [];
    for (const [attack, run, expected] of cases) {
      const t = performance.now();
      const outcome = await run();
      outcomes.push({
        attack,
        status: outcome.status,
        codes: outcome.codes.join(' '),
        ms: Math.round(performance.now() - t),
      } as never);
      expect
        .soft({ attack, serverError: outcome.status >= 500, hasError: outcome.codes.length > 0 })
        .toEqual({
          attack,
          serverError: false,
          hasError: true,
        });
      expect.soft({ attack, codes: [...new Set(outcome.codes)] }).toEqual({ attack, codes: expected });
    }
    console.table(outcomes);
    expect(await documentCounts()).toEqual(before);
  });

  it('keeps serving the other subgraphs when one is killed mid-suite', async () => {
    const feedback = subgraphs.find((s) => s.name === 'feedback')!;
    await feedback.stop();
    const res = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...admin },
      body: op('{ items(first: 2) { edges { node { title feedbackSummary { likes } } } } }'),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      data: { items: { edges: { node: { title: string } | null }[] } } | null;
      errors: { path?: unknown[]; extensions?: { code?: string; serviceName?: string } }[];
    };
    expect(body.errors.map((e) => e.extensions?.code)).toContain('DOWNSTREAM_SERVICE_ERROR');
    expect(body.errors.some((e) => e.extensions?.serviceName === 'feedback' && e.path)).toBe(true);
    // The rest of the mesh answers on its own.
    const items = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: op('{ items(first: 2) { edges { node { title } } } }'),
    });
    expect(((await items.json()) as { data: { items: { edges: unknown[] } } }).data.items.edges).toHaveLength(
      2,
    );
  });
});
