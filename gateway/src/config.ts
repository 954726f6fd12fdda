import { DEV_JWT_SECRET, loadConfig, type ServiceConfig } from '@attention-mesh/platform';
import { PUBLIC_SCHEMA_FILE, SUPERGRAPH_FILE } from '@attention-mesh/schema';
import { z } from 'zod';
import type { DemandLimits } from './plugins/useDemandControl.js';

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
  };
  /** How long a resolved API key (or an unknown one) is trusted before asking the users subgraph again. */
  apiKeyCacheMs: number;
  /** The lifetime of the signed internal context: the longest a client request may run. */
  contextTtlMs: number;
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
}

const gatewayEnv = z.object({
  SUPERGRAPH_PATH: z.string().default(SUPERGRAPH_FILE),
  PUBLIC_SCHEMA_PATH: z.string().default(PUBLIC_SCHEMA_FILE),
  WATCH_SUPERGRAPH: z.enum(['true', 'false']).optional(),
  JWT_SECRET: z.string().min(32).optional(),
  JWT_JWKS_URL: z.string().url().optional(),
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
  API_KEY_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(30_000),
  MESH_CONTEXT_TTL_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(300_000),
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
  try {
    const { mongo: _mongo, ...rest } = loadConfig('gateway', env);
    base = rest;
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
  else if (env.NODE_ENV === 'production') problems.push(...productionProblems(parsed.data));
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
    },
    apiKeyCacheMs: e.API_KEY_CACHE_MS,
    contextTtlMs: e.MESH_CONTEXT_TTL_MS,
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
  };
}
