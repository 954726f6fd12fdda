import type { ApolloServerPlugin } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../src/config.js';
import type { GatewayContext } from '../src/context.js';
import { useHardening } from '../src/plugins/useHardening.js';
import type { RunningGateway } from '../src/server.js';
import { type FakeSubgraph, startFakeSubgraph } from './support/fakeSubgraph.js';
import { PUBLIC, SHOP, SHOP_PLAIN, shopRoot } from './support/shop.js';
import { startTestGateway } from './support/testGateway.js';

const PRODUCTION = {
  NODE_ENV: 'production',
  MESH_INTERNAL_SECRET: 'a-production-internal-secret-of-enough-length',
  JWT_JWKS_URL: 'https://id.example.com/.well-known/jwks.json',
  JWT_ISSUER: 'https://id.example.com/',
  JWT_AUDIENCE: 'attention-mesh',
};
const APP = 'https://app.example.com';

let shop: FakeSubgraph;
let dev: RunningGateway;
let prod: RunningGateway;
let prodWithPage: RunningGateway;

beforeAll(async () => {
  shop = await startFakeSubgraph(SHOP_PLAIN, shopRoot());
  const subgraphs = [{ name: 'shop', sdl: SHOP, url: shop.url }];
  [dev, prod, prodWithPage] = await Promise.all([
    startTestGateway({ subgraphs, publicSdl: PUBLIC }),
    startTestGateway({
      subgraphs,
      publicSdl: PUBLIC,
      env: { ...PRODUCTION, CORS_ORIGINS: `${APP}, https://admin.example.com` },
    }),
    startTestGateway({ subgraphs, publicSdl: PUBLIC, env: { ...PRODUCTION, LANDING_PAGE: 'true' } }),
  ]);
});

afterAll(async () => {
  await Promise.all([dev?.stop(), prod?.stop(), prodWithPage?.stop()]);
  await shop?.stop();
});

const at = (gateway: RunningGateway, path: string) => new URL(path, gateway.url).toString();
const query = (gateway: RunningGateway, body: unknown, headers: Record<string, string> = {}) =>
  fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
const landingPage = (gateway: RunningGateway) =>
  fetch(at(gateway, '/'), { headers: { accept: 'text/html' } });
const preflight = (gateway: RunningGateway, origin: string) =>
  fetch(gateway.url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, authorization, x-api-key',
    },
  });

const STRICT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

describe('security headers', () => {
  it('go on every answer: GraphQL, health, not found, refused bodies', async () => {
    const answers = await Promise.all([
      query(dev, { query: '{ greeting }' }),
      fetch(at(dev, '/healthz')),
      fetch(at(dev, '/nothing-here')),
      fetch(dev.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }),
      query(prod, { query: '{ greeting }' }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 404, 400, 200]);
    for (const res of answers) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('content-security-policy')).toBe(STRICT_CSP);
    }
  });

  it('add Strict-Transport-Security in production only', async () => {
    expect((await fetch(at(prod, '/healthz'))).headers.get('strict-transport-security')).toBe(
      'max-age=31536000; includeSubDomains',
    );
    expect((await query(prod, { query: '{ greeting }' })).headers.get('strict-transport-security')).toMatch(
      /^max-age=/,
    );
    expect((await fetch(at(dev, '/healthz'))).headers.get('strict-transport-security')).toBeNull();
  });

  it('leave the development landing page its own script policy, and no framing', async () => {
    const res = await landingPage(dev);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('embeddable-sandbox');
    expect(res.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });
});

describe('the landing page', () => {
  it('is off in production', async () => {
    const res = await landingPage(prod);
    expect(res.headers.get('content-type')).not.toMatch(/text\/html/);
    expect(await res.text()).not.toContain('<html');
  });

  it('is served in production with LANDING_PAGE=true', async () => {
    const res = await landingPage(prodWithPage);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('is off in development with LANDING_PAGE=false, on by default', () => {
    expect(loadGatewayConfig({ NODE_ENV: 'development' }).landingPage).toBe(true);
    expect(loadGatewayConfig({ NODE_ENV: 'development', LANDING_PAGE: 'false' }).landingPage).toBe(false);
    expect(loadGatewayConfig({ ...PRODUCTION }).landingPage).toBe(false);
  });
});

describe('CORS', () => {
  it('allows local origins in development, for Sandbox and local front ends', async () => {
    for (const origin of ['http://localhost:3000', 'http://127.0.0.1:4000', 'https://localhost']) {
      const res = await query(dev, { query: '{ greeting }' }, { origin });
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.headers.get('vary')).toMatch(/Origin/);
      expect(res.headers.get('access-control-expose-headers')).toContain('x-request-id');
    }
    const pre = await preflight(dev, 'http://localhost:3000');
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(pre.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
    expect(pre.headers.get('access-control-allow-headers')).toBe('content-type, authorization, x-api-key');
    expect(pre.headers.get('access-control-max-age')).toBe('600');
  });

  it('refuses any other origin: no CORS headers, preflight 403', async () => {
    for (const origin of ['https://evil.example', 'http://localhost.evil.example', 'null']) {
      const res = await query(dev, { query: '{ greeting }' }, { origin });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      const pre = await preflight(dev, origin);
      expect(pre.status).toBe(403);
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
      expect(pre.headers.get('access-control-allow-methods')).toBeNull();
    }
  });

  it('allows in production only the CORS_ORIGINS listed', async () => {
    const pre = await preflight(prod, APP);
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(APP);
    expect(
      (await query(prod, { query: '{ greeting }' }, { origin: APP })).headers.get(
        'access-control-allow-origin',
      ),
    ).toBe(APP);
    expect((await preflight(prod, 'https://admin.example.com')).status).toBe(204);
    for (const origin of [
      'http://localhost:3000',
      'https://app.example.com.evil.example',
      'http://app.example.com',
    ]) {
      expect((await preflight(prod, origin)).status).toBe(403);
      expect(
        (await query(prod, { query: '{ greeting }' }, { origin })).headers.get('access-control-allow-origin'),
      ).toBeNull();
    }
    expect((await preflight(prodWithPage, APP)).status).toBe(403);
  });

  it('answers OPTIONS without an origin with the methods allowed', async () => {
    const res = await fetch(dev.url, { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.get('allow')).toBe('GET, POST, OPTIONS');
  });

  it('reads CORS_ORIGINS as a list of origins, refusing anything else', () => {
    expect(loadGatewayConfig({ NODE_ENV: 'development' }).corsOrigins).toBe('localhost');
    expect(loadGatewayConfig({ ...PRODUCTION }).corsOrigins).toEqual([]);
    expect(
      loadGatewayConfig({ NODE_ENV: 'development', CORS_ORIGINS: 'https://a.example, http://[::1]:8080,' })
        .corsOrigins,
    ).toEqual(['https://a.example', 'http://[::1]:8080']);
    for (const bad of ['https://a.example/path', '*', 'a.example', 'ftp://a.example'])
      expect(() => loadGatewayConfig({ NODE_ENV: 'development', CORS_ORIGINS: bad })).toThrow(/CORS_ORIGINS/);
  });
});

describe('field suggestions', () => {
  const misspelt = { query: '{ greetin }' };

  it('are given in development', async () => {
    const body = (await (await query(dev, misspelt)).json()) as { errors: { message: string }[] };
    expect(body.errors[0]?.message).toMatch(/Did you mean "greeting"\?/);
  });

  it('are not given in production', async () => {
    const res = await query(prod, misspelt);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(body.errors[0]?.message).toBe('Cannot query field "greetin" on type "Query".');
    expect(JSON.stringify(body)).not.toContain('Did you mean');
  });

  it('are stripped in production from every error, whoever raised it (the partner contract, variables)', async () => {
    const plugins =
      useHardening({ production: true, corsOrigins: [], landingPage: false }).apolloPlugins ?? [];
    const errors = [
      { message: 'Cannot query field "emial" on type "Person". Did you mean "email"?' },
      { message: 'Value "ACTIV" does not exist in "Status" enum. Did you mean the enum value "ACTIVE"?' },
      { message: 'unrelated' },
    ];
    const response = { body: { kind: 'single', singleResult: { errors } }, http: {} };
    for (const plugin of plugins as ApolloServerPlugin<GatewayContext>[]) {
      const listener = await plugin.requestDidStart?.({} as never);
      await listener?.willSendResponse?.({ response } as never);
    }
    expect(response.body.singleResult.errors.map((e) => e.message)).toEqual([
      'Cannot query field "emial" on type "Person".',
      'Value "ACTIV" does not exist in "Status" enum.',
      'unrelated',
    ]);
  });
});
