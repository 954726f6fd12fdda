import { DEV_JWT_SECRET } from '@attention-mesh/platform';
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../src/config.js';

const PROD_SECRET = 'a-production-internal-secret-of-enough-length';

describe('gateway configuration', () => {
  it('uses the development JWT secret and the default cache times in development', () => {
    const config = loadGatewayConfig({ NODE_ENV: 'development' });
    expect(config.jwt).toEqual({ secret: DEV_JWT_SECRET, cacheMs: 60_000 });
    expect(config.apiKeyCacheMs).toBe(30_000);
    expect(config.contextTtlMs).toBe(300_000);
    expect(config.resilience).toEqual({
      requestTimeoutMs: 30_000,
      subgraphTimeoutMs: 10_000,
      retries: 2,
      retryDelayMs: 100,
      breakerThreshold: 5,
      breakerCooldownMs: 10_000,
    });
    expect(config.publicSchemaFile).toMatch(/public\.graphql$/);
  });

  it('keeps the signed context valid for as long as a request may run', () => {
    expect(() => loadGatewayConfig({ REQUEST_TIMEOUT_MS: '60000', MESH_CONTEXT_TTL_MS: '30000' })).toThrow(
      /MESH_CONTEXT_TTL_MS: must be at least REQUEST_TIMEOUT_MS/,
    );
    expect(
      loadGatewayConfig({ REQUEST_TIMEOUT_MS: '60000', MESH_CONTEXT_TTL_MS: '60000' }).resilience,
    ).toMatchObject({
      requestTimeoutMs: 60_000,
    });
    // Retries are for transient failures: at most two.
    expect(() => loadGatewayConfig({ SUBGRAPH_RETRIES: '3' })).toThrow(/SUBGRAPH_RETRIES/);
  });

  it('lists every production problem at once', () => {
    expect(() =>
      loadGatewayConfig({ NODE_ENV: 'production', JWT_SECRET: DEV_JWT_SECRET, API_KEY_CACHE_MS: '120000' }),
    ).toThrowError(
      expect.objectContaining({
        message: expect.stringMatching(/MESH_INTERNAL_SECRET[\s\S]*API_KEY_CACHE_MS/),
      }),
    );
    let message = '';
    try {
      loadGatewayConfig({
        NODE_ENV: 'production',
        MESH_INTERNAL_SECRET: PROD_SECRET,
        JWT_SECRET: DEV_JWT_SECRET,
      });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const expected of [
      'JWT_JWKS_URL: required',
      'JWT_ISSUER: required',
      'JWT_AUDIENCE: required',
      'JWT_SECRET: the development secret is refused',
    ])
      expect(message).toContain(expected);
  });

  it('takes a JWKS with issuer and audience in production, and no HS256 secret unless one is set', () => {
    const config = loadGatewayConfig({
      NODE_ENV: 'production',
      MESH_INTERNAL_SECRET: PROD_SECRET,
      JWT_JWKS_URL: 'https://id.example.com/.well-known/jwks.json',
      JWT_ISSUER: 'https://id.example.com/',
      JWT_AUDIENCE: 'attention-mesh',
      API_KEY_CACHE_MS: '60000',
      JWT_CACHE_MS: '0',
    });
    expect(config.jwt).toEqual({
      jwksUrl: 'https://id.example.com/.well-known/jwks.json',
      issuer: 'https://id.example.com/',
      audience: 'attention-mesh',
      cacheMs: 0,
    });
    expect(config.apiKeyCacheMs).toBe(60_000);
  });

  it('limits rates by default in memory, with a budget per client kind; Redis and the proxy when asked', () => {
    const config = loadGatewayConfig({ NODE_ENV: 'development' });
    expect(config.rateLimit).toEqual({
      enabled: true,
      windowMs: 60_000,
      budgets: {
        anonymous: { requests: 600, cost: 50_000 },
        person: { requests: 1_200, cost: 100_000 },
        partner: { requests: 6_000, cost: 500_000 },
        analyst: { requests: 6_000, cost: 1_000_000 },
      },
      adminExempt: true,
      maxBuckets: 100_000,
      trustProxy: false,
    });
    const shared = loadGatewayConfig({
      NODE_ENV: 'development',
      REDIS_URL: 'redis://redis:6379/0',
      TRUST_PROXY: 'true',
      RATE_LIMIT_WINDOW_SECONDS: '10',
      RATE_LIMIT_PARTNER_COST: '42',
      RATE_LIMIT_ADMIN_EXEMPT: 'false',
      RATE_LIMIT_ENABLED: 'false',
    });
    expect(shared.rateLimit).toMatchObject({
      enabled: false,
      windowMs: 10_000,
      adminExempt: false,
      redisUrl: 'redis://redis:6379/0',
      trustProxy: true,
    });
    expect(shared.rateLimit.budgets.partner.cost).toBe(42);
    expect(() =>
      loadGatewayConfig({
        NODE_ENV: 'development',
        REDIS_URL: 'http://redis',
        RATE_LIMIT_PERSON_REQUESTS: '0',
      }),
    ).toThrowError(/RATE_LIMIT_PERSON_REQUESTS: Too small[\s\S]*REDIS_URL: a redis:\/\/ or rediss:\/\/ URL/);
  });

  it('shares identical reads and runs in one process by default; both switchable, bounded', () => {
    expect(loadGatewayConfig({})).toMatchObject({ dedupe: true, workers: 1 });
    expect(loadGatewayConfig({ GATEWAY_DEDUPE: 'false', GATEWAY_WORKERS: '0' })).toMatchObject({
      dedupe: false,
      workers: 0,
    });
    expect(() => loadGatewayConfig({ GATEWAY_DEDUPE: 'no' })).toThrow(/GATEWAY_DEDUPE/);
    expect(() => loadGatewayConfig({ GATEWAY_WORKERS: '-1' })).toThrow(/GATEWAY_WORKERS/);
    expect(() => loadGatewayConfig({ GATEWAY_WORKERS: '1000' })).toThrow(/GATEWAY_WORKERS/);
  });
});
