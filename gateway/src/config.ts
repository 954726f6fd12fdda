import { DEV_JWT_SECRET, loadConfig, type ServiceConfig } from '@attention-mesh/platform';
import { PUBLIC_SCHEMA_FILE, SUPERGRAPH_FILE } from '@attention-mesh/schema';
import { z } from 'zod';
import type { DemandLimits } from './plugins/useDemandControl.js';
import type { RateLimitOptions } from './plugins/useRateLimit.js';
import type { SubscriptionsConfig } from './subscriptions/subscriptionsConfig.js';

export interface GatewayConfig extends Omit<ServiceConfig, 'mongo'> {
  /** The composed supergraph the gateway serves. */
  supergraphFile: string;
  /** The partner contract (the API schema's `@tag(name: "public")` part) API-key callers see. */
  publicSchemaFile: string;
  /** Reload the supergraph when the file changes (default: on in development). */
  watchSupergraph: boolean;
  /** Subgraph URL overrides by subgraph name (from SUBGRAPH_<NAME>_URL). */
  subgraphUrls: Record<string, string>;
  jwt: {
    /**
     * HS256 secret for people's bearer tokens: the development secret by default in development and
     * tests; in production only when JWT_SECRET is set (never the development one).
     */
    secret?: string;
    /** RS256/ES256 keys of the identity provider (required in production). */
    jwksUrl?: string;
    /** Checked against `iss` when set (required in production). */
    issuer?: string;
    /** Checked against `aud` when set (required in production). */
    audience?: string;
    /**
     * How long a verified bearer token is accepted again without checking its signature, never past
     * its `exp` (JWT_CACHE_MS, default 60 s, at most 5 min; 0: every request is checked). A key the
     * identity provider withdraws stops being accepted within this long.
     */
    cacheMs: number;
  };
  /** How long a resolved API key (or an unknown one) is trusted before asking the users subgraph again. */
  apiKeyCacheMs: number;
  /** The lifetime of the signed internal context: at least `resilience.requestTimeoutMs`. */
  contextTtlMs: number;
  /** Rate limits per API key, user or client address (RATE_LIMIT_*, REDIS_URL, TRUST_PROXY). */
  rateLimit: RateLimitOptions;
  /** Failure isolation: how long calls may take, what is retried, when a subgraph is skipped. */
  resilience: ResilienceConfig;
  persistedOperations: {
    /** The trusted-documents manifest partners are held to (TRUSTED_DOCUMENTS_PATH); none by default. */
    trustedDocumentsFile?: string;
    /** The automatic persisted queries' in-memory store, in bytes (APQ_CACHE_MB, default 16 MiB). */
    apqCacheBytes: number;
  };
  /**
   * The browser origins allowed to call (CORS_ORIGINS, comma-separated); by default any local origin
   * (`localhost`, for Sandbox) outside production, none in production.
   */
  corsOrigins: string[] | 'localhost';
  /** Serve the landing page (LANDING_PAGE; default: on, except in production). */
  landingPage: boolean;
  /**
   * Demand control, checked on the parsed operation before anything is planned (fragments expanded;
   * HTTP 400 with the code, `limit` and `measured` in `extensions`):
   * - `maxDepth` (MAX_DEPTH, default 12): the deepest field nesting, a root field being 1 (introspection
   *   not counted) — DEPTH_LIMIT;
   * - `maxAliases` (MAX_ALIASES, default 30): aliased fields — ALIAS_LIMIT;
   * - `maxRootFields` (MAX_ROOT_FIELDS, default 20): fields at the operation's root — ROOT_FIELD_LIMIT;
   * - `maxDirectives` (MAX_DIRECTIVES, default 50): directive uses — DIRECTIVE_LIMIT;
   * - `maxTokens` (MAX_TOKENS, default 2000): lexical tokens, enforced by the parser — TOKEN_LIMIT;
   * - `costLimits` (COST_LIMIT_ANONYMOUS 1000, COST_LIMIT_PERSON 5000, COST_LIMIT_PARTNER 10000,
   *   COST_LIMIT_ANALYST 50000): the largest static cost (`@cost`/`@listSize`, IBM cost specification)
   *   an operation of each kind of caller may have — COST_LIMIT with `cost` and `limit`;
   * - `defaultListSize` (DEFAULT_LIST_SIZE, default 10): the size assumed for a list without `@listSize`.
   */
  demand: DemandLimits;
  /**
   * Live subscriptions over graphql-ws (`/graphql`) and SSE (`/graphql/stream`), fed by the event bus
   * (EVENT_BUS: the mongo log on MONGODB_URI's server or NATS; opened on the first subscription).
   */
  subscriptions: SubscriptionsConfig;
  /**
   * Share identical subgraph reads in flight (GATEWAY_DEDUPE, default true): the same subgraph, query
   * text, variables and caller (the signed context's claims, privacy budget included) are sent once
   * and each waiting request gets its own copy of the answer. Never for mutations, nor for any
   * subgraph call of a client mutation.
   */
  dedupe: boolean;
  /**
   * Processes serving the port (GATEWAY_WORKERS, default 1: the gateway runs in this process; 0: one
   * per CPU; more: a node cluster primary forks that many workers and replaces one that dies; see
   * the README (Gateway speed) for what each worker keeps in memory).
   */
  workers: number;
}

export interface ResilienceConfig {
  /** The whole client request; on expiry its pending subgraph calls are aborted (REQUEST_TIMEOUT). */
  requestTimeoutMs: number;
  /** One call to one subgraph (each attempt). */
  subgraphTimeoutMs: number;
  /** Extra attempts of a subgraph query after a network error or a 502/503/504 (never a mutation). */
  retries: number;
  /** The first retry's delay; each further one doubles it, all jittered (50-100 %). */
  retryDelayMs: number;
  /** Consecutive failed calls to a subgraph that open its circuit breaker. */
  breakerThreshold: number;
  /** How long an open breaker fails fast before it lets one probe call through. */
  breakerCooldownMs: number;
}

const bool = z.enum(['true', 'false']);
/** A budget per window: at least 1, at most a billion. */
const budget = (fallback: number) => z.coerce.number().int().min(1).max(1_000_000_000).default(fallback);

/** An origin as browsers send it: scheme, host, optional port; nothing after. */
const origin = z
  .string()
  .trim()
  .regex(
    /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/,
    'not an origin (scheme://host[:port])',
  );

const gatewayEnv = z.object({
  SUPERGRAPH_PATH: z.string().default(SUPERGRAPH_FILE),
  PUBLIC_SCHEMA_PATH: z.string().default(PUBLIC_SCHEMA_FILE),
  WATCH_SUPERGRAPH: z.enum(['true', 'false']).optional(),
  JWT_SECRET: z.string().min(32).optional(),
  JWT_JWKS_URL: z.string().url().optional(),
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
  JWT_CACHE_MS: z.coerce.number().int().min(0).max(300_000).default(60_000),
  API_KEY_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(30_000),
  MESH_CONTEXT_TTL_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(300_000),
  RATE_LIMIT_ENABLED: bool.default('true'),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  RATE_LIMIT_ANONYMOUS_REQUESTS: budget(600),
  RATE_LIMIT_ANONYMOUS_COST: budget(50_000),
  RATE_LIMIT_PERSON_REQUESTS: budget(1_200),
  RATE_LIMIT_PERSON_COST: budget(100_000),
  RATE_LIMIT_PARTNER_REQUESTS: budget(6_000),
  RATE_LIMIT_PARTNER_COST: budget(500_000),
  RATE_LIMIT_ANALYST_REQUESTS: budget(6_000),
  RATE_LIMIT_ANALYST_COST: budget(1_000_000),
  RATE_LIMIT_ADMIN_EXEMPT: bool.default('true'),
  RATE_LIMIT_MAX_BUCKETS: z.coerce.number().int().min(1_000).max(10_000_000).default(100_000),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'a redis:// or rediss:// URL')
    .optional(),
  TRUST_PROXY: bool.default('false'),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(50).max(600_000).default(10_000),
  SUBGRAPH_RETRIES: z.coerce.number().int().min(0).max(2).default(2),
  SUBGRAPH_RETRY_DELAY_MS: z.coerce.number().int().min(0).max(5_000).default(100),
  CIRCUIT_BREAKER_THRESHOLD: z.coerce.number().int().min(1).max(1_000).default(5),
  CIRCUIT_BREAKER_COOLDOWN_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  TRUSTED_DOCUMENTS_PATH: z.string().min(1).optional(),
  APQ_CACHE_MB: z.coerce.number().int().min(1).max(1_024).default(16),
  CORS_ORIGINS: z
    .string()
    .transform((v) => v.split(',').filter((o) => o.trim() !== ''))
    .pipe(z.array(origin))
    .optional(),
  LANDING_PAGE: z.enum(['true', 'false']).optional(),
  MAX_DEPTH: z.coerce.number().int().min(1).max(1_000).default(12),
  MAX_ALIASES: z.coerce.number().int().min(0).max(100_000).default(30),
  MAX_ROOT_FIELDS: z.coerce.number().int().min(1).max(100_000).default(20),
  MAX_DIRECTIVES: z.coerce.number().int().min(0).max(100_000).default(50),
  MAX_TOKENS: z.coerce.number().int().min(100).max(1_000_000).default(2_000),
  COST_LIMIT_ANONYMOUS: z.coerce.number().min(0).default(1_000),
  COST_LIMIT_PERSON: z.coerce.number().min(0).default(5_000),
  COST_LIMIT_PARTNER: z.coerce.number().min(0).default(10_000),
  COST_LIMIT_ANALYST: z.coerce.number().min(0).default(50_000),
  DEFAULT_LIST_SIZE: z.coerce.number().int().min(1).max(10_000).default(10),
  SUBSCRIPTIONS_ENABLED: bool.default('true'),
  SUBSCRIPTIONS_MAX_PER_CONNECTION: z.coerce.number().int().min(1).max(1_000).default(20),
  SUBSCRIPTIONS_MAX_PER_CALLER: z.coerce.number().int().min(1).max(100_000).default(100),
  SUBSCRIPTION_QUEUE_SIZE: z.coerce.number().int().min(1).max(10_000).default(64),
  SUBSCRIPTION_OWNER_CACHE_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  GATEWAY_DEDUPE: bool.default('true'),
  GATEWAY_WORKERS: z.coerce.number().int().min(0).max(256).default(1),
});

/** What production insists on, all listed at once. */
function productionProblems(e: z.output<typeof gatewayEnv>): string[] {
  const problems: string[] = [];
  if (!e.JWT_JWKS_URL) problems.push("JWT_JWKS_URL: required in production (the identity provider's keys)");
  if (!e.JWT_ISSUER) problems.push('JWT_ISSUER: required in production');
  if (!e.JWT_AUDIENCE) problems.push('JWT_AUDIENCE: required in production');
  if (e.JWT_SECRET === DEV_JWT_SECRET)
    problems.push('JWT_SECRET: the development secret is refused in production');
  return problems;
}

export function loadGatewayConfig(env: Record<string, string | undefined>): GatewayConfig {
  const problems: string[] = [];
  let base: Omit<ServiceConfig, 'mongo'> | undefined;
  let busUri = '';
  try {
    const { mongo, ...rest } = loadConfig('gateway', env);
    base = rest;
    busUri = mongo.uri;
  } catch (err) {
    // The shared base's problems, listed with the gateway's own below.
    problems.push(
      ...String((err as Error).message)
        .split('\n')
        .slice(1)
        .map((l) => l.trim()),
    );
  }
  const parsed = gatewayEnv.safeParse(env);
  if (!parsed.success) problems.push(...parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  else {
    // A subgraph must not refuse a request's signed context while the gateway still waits for it.
    if (parsed.data.MESH_CONTEXT_TTL_MS < parsed.data.REQUEST_TIMEOUT_MS)
      problems.push('MESH_CONTEXT_TTL_MS: must be at least REQUEST_TIMEOUT_MS');
    if (env.NODE_ENV === 'production') problems.push(...productionProblems(parsed.data));
  }
  const subgraphUrls: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    const m = /^SUBGRAPH_([A-Z0-9_]+)_URL$/.exec(key);
    if (!m?.[1] || !value) continue;
    const url = z.string().url().safeParse(value);
    if (url.success) subgraphUrls[m[1].toLowerCase()] = url.data;
    else problems.push(`${key}: not a URL`);
  }
  if (!base || !parsed.success || problems.length) {
    throw new Error(`Invalid configuration for gateway:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  const e = parsed.data;
  const production = base.env === 'production';
  return {
    ...base,
    supergraphFile: e.SUPERGRAPH_PATH,
    publicSchemaFile: e.PUBLIC_SCHEMA_PATH,
    watchSupergraph: e.WATCH_SUPERGRAPH ? e.WATCH_SUPERGRAPH === 'true' : base.env === 'development',
    subgraphUrls,
    jwt: {
      ...((e.JWT_SECRET ?? (production ? undefined : DEV_JWT_SECRET))
        ? { secret: e.JWT_SECRET ?? DEV_JWT_SECRET }
        : {}),
      ...(e.JWT_JWKS_URL ? { jwksUrl: e.JWT_JWKS_URL } : {}),
      ...(e.JWT_ISSUER ? { issuer: e.JWT_ISSUER } : {}),
      ...(e.JWT_AUDIENCE ? { audience: e.JWT_AUDIENCE } : {}),
      cacheMs: e.JWT_CACHE_MS,
    },
    apiKeyCacheMs: e.API_KEY_CACHE_MS,
    contextTtlMs: e.MESH_CONTEXT_TTL_MS,
    rateLimit: {
      enabled: e.RATE_LIMIT_ENABLED === 'true',
      windowMs: e.RATE_LIMIT_WINDOW_SECONDS * 1000,
      budgets: {
        anonymous: { requests: e.RATE_LIMIT_ANONYMOUS_REQUESTS, cost: e.RATE_LIMIT_ANONYMOUS_COST },
        person: { requests: e.RATE_LIMIT_PERSON_REQUESTS, cost: e.RATE_LIMIT_PERSON_COST },
        partner: { requests: e.RATE_LIMIT_PARTNER_REQUESTS, cost: e.RATE_LIMIT_PARTNER_COST },
        analyst: { requests: e.RATE_LIMIT_ANALYST_REQUESTS, cost: e.RATE_LIMIT_ANALYST_COST },
      },
      adminExempt: e.RATE_LIMIT_ADMIN_EXEMPT === 'true',
      maxBuckets: e.RATE_LIMIT_MAX_BUCKETS,
      ...(e.REDIS_URL ? { redisUrl: e.REDIS_URL } : {}),
      trustProxy: e.TRUST_PROXY === 'true',
    },
    resilience: {
      requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
      subgraphTimeoutMs: e.SUBGRAPH_TIMEOUT_MS,
      retries: e.SUBGRAPH_RETRIES,
      retryDelayMs: e.SUBGRAPH_RETRY_DELAY_MS,
      breakerThreshold: e.CIRCUIT_BREAKER_THRESHOLD,
      breakerCooldownMs: e.CIRCUIT_BREAKER_COOLDOWN_MS,
    },
    persistedOperations: {
      ...(e.TRUSTED_DOCUMENTS_PATH ? { trustedDocumentsFile: e.TRUSTED_DOCUMENTS_PATH } : {}),
      apqCacheBytes: e.APQ_CACHE_MB * 1024 * 1024,
    },
    corsOrigins: e.CORS_ORIGINS ?? (production ? [] : 'localhost'),
    landingPage: e.LANDING_PAGE ? e.LANDING_PAGE === 'true' : !production,
    demand: {
      maxDepth: e.MAX_DEPTH,
      maxAliases: e.MAX_ALIASES,
      maxRootFields: e.MAX_ROOT_FIELDS,
      maxDirectives: e.MAX_DIRECTIVES,
      maxTokens: e.MAX_TOKENS,
      defaultListSize: e.DEFAULT_LIST_SIZE,
      costLimits: {
        anonymous: e.COST_LIMIT_ANONYMOUS,
        person: e.COST_LIMIT_PERSON,
        partner: e.COST_LIMIT_PARTNER,
        analyst: e.COST_LIMIT_ANALYST,
      },
    },
    subscriptions: {
      enabled: e.SUBSCRIPTIONS_ENABLED === 'true',
      bus: {
        service: 'gateway',
        events: base.events,
        mongo: { uri: busUri, dbName: base.events.mongoDbName },
      },
      maxPerConnection: e.SUBSCRIPTIONS_MAX_PER_CONNECTION,
      maxPerCaller: e.SUBSCRIPTIONS_MAX_PER_CALLER,
      queueSize: e.SUBSCRIPTION_QUEUE_SIZE,
      maxArgumentLength: 128,
      ownerCacheMs: e.SUBSCRIPTION_OWNER_CACHE_MS,
      connectionInitTimeoutMs: 3_000,
    },
    dedupe: e.GATEWAY_DEDUPE === 'true',
    workers: e.GATEWAY_WORKERS,
  };
}
