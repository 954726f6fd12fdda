import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEV_JWT_SECRET } from '@attention-mesh/platform';
import { jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoApiKey, demoCallers } from '../src/demoAccess.js';
import { DEMO_PUBLISHER_ID, demoWorld } from '../src/demoWorld.js';
import { readyBanner } from '../src/readyBanner.js';
import { seedIfEmpty } from '../src/seed.js';

interface Received {
  headers: IncomingHttpHeaders;
  query: string;
  variables?: Record<string, unknown>;
}

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A stand-in gateway answering each operation with `answer`; records what it received. */
async function fakeGateway(answer: (r: Received) => unknown): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      const r = { headers: req.headers, ...(JSON.parse(body) as Omit<Received, 'headers'>) };
      received.push(r);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer(r)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, received };
}

const verify = async (token: string) =>
  (await jwtVerify(token, new TextEncoder().encode(DEV_JWT_SECRET))).payload;

describe('the demo callers', () => {
  it('are a person, an advertiser member, an analyst and an admin, valid 12 h', async () => {
    const callers = await demoCallers('adv-demo-1');
    const claims = await Promise.all(callers.map((c) => verify(c.token)));
    expect(callers.map((c) => c.name)).toEqual(['PERSON', 'ADVERTISER', 'ANALYST', 'ADMIN']);
    expect(claims.map((c) => [c.sub, c.scope, c.advertiser_id])).toEqual([
      ['usr-demo-01', undefined, undefined],
      ['usr-demo-adv', 'ads:write', 'adv-demo-1'],
      ['usr-demo-analyst', 'analytics:read', undefined],
      ['usr-demo-admin', 'admin', undefined],
    ]);
    for (const c of claims) expect((c.exp as number) - (c.iat as number)).toBe(12 * 3600);
  });
});

describe('the demo publisher key', () => {
  it('is created through the gateway by the admin for pub-demo with ads:request and events:write', async () => {
    const gw = await fakeGateway(() => ({ data: { createApiKey: { key: 'amk_0123456789_secret' } } }));
    expect(await createDemoApiKey(gw.url, 'admin-token')).toEqual({ key: 'amk_0123456789_secret' });
    expect(gw.received[0]?.headers.authorization).toBe('Bearer admin-token');
    expect(gw.received[0]?.query).toMatch(
      /createApiKey\(input: \{ partnerId: "pub-demo", name: "demo publisher", scopes: \["ads:request", "events:write"\] \}\) \{ key \}/,
    );
  });

  it('is a one-line note when the gateway refuses or is not there', async () => {
    const gw = await fakeGateway(() => ({
      errors: [{ message: 'Cannot query field "createApiKey"\non type "Mutation".' }],
    }));
    const refused = await createDemoApiKey(gw.url, 'admin-token');
    expect(refused).toEqual({
      note: 'no demo publisher API key (Cannot query field "createApiKey" on type "Mutation".)',
    });
    const gone = await createDemoApiKey('http://127.0.0.1:1/graphql', 'admin-token');
    expect('note' in gone && gone.note).toMatch(/^no demo publisher API key \(.+\)$/);
  });
});

describe('seeding', () => {
  it('sends the given headers with every call and gives the placements to the demo publisher', async () => {
    const gw = await fakeGateway(({ query }) => {
      if (query.includes('users(first: 1)'))
        return { data: { users: { edges: [] }, first: null, last: null } };
      if (query.includes('recordAttention'))
        return { data: { recordAttention: { accepted: 500, duplicates: 0, rejected: [] } } };
      if (query.includes('attention { events }')) return { data: { user: { attention: { events: 3 } } } };
      return { data: {} };
    });
    const seeded = await seedIfEmpty(gw.url, () => {}, { headers: { authorization: 'Bearer admin-token' } });
    expect(seeded).toBe(true);
    const world = demoWorld();
    expect(gw.received.length).toBeGreaterThan(world.users.length + world.items.length);
    expect(gw.received.filter((r) => r.headers.authorization !== 'Bearer admin-token')).toEqual([]);
    const placements = gw.received.filter((r) => r.query.includes('createPlacement'));
    expect(
      placements.map((r) => (r.variables?.input as { publisherId?: string } | undefined)?.publisherId),
    ).toEqual(world.placements.map(() => DEMO_PUBLISHER_ID));
  });
});

describe('the ready banner', () => {
  const callers = [
    { name: 'PERSON', about: 'usr-demo-01', token: 'tok.person.sig' },
    { name: 'ADMIN', about: 'admin', token: 'tok.admin.sig' },
  ];
  const url = 'http://localhost:4000/graphql';

  it('exports each credential and prints a ready curl per caller', () => {
    const text = readyBanner({ url, seconds: 12.34, callers, apiKey: { key: 'amk_0123456789_s3cret' } });
    expect(text).toContain('attention-mesh is up in 12.3 s');
    expect(text).toContain("export PERSON='tok.person.sig'  # usr-demo-01");
    expect(text).toContain("export API_KEY='amk_0123456789_s3cret'  # publisher pub-demo");
    expect(text).toContain(
      `curl -s ${url} -H 'content-type: application/json' -H "Authorization: Bearer $PERSON"`,
    );
    expect(text).toContain('-H "x-api-key: $API_KEY"');
    // Each body is JSON in single quotes: copied as is into a shell, it reaches the gateway intact.
    for (const [, body] of text.matchAll(/-d '([^']*)'/g))
      expect(() => JSON.parse(body as string)).not.toThrow();
    expect(text.split('\n').length).toBeLessThan(20);
  });

  it('prints the note instead of the key when there is none', () => {
    const text = readyBanner({
      url,
      seconds: 1,
      callers,
      apiKey: { note: 'no demo publisher API key (nope)' },
    });
    expect(text).toContain('# no demo publisher API key (nope)');
    expect(text).not.toMatch(/API_KEY/);
  });
});
