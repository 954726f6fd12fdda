import { createHash } from 'node:crypto';
import {
  ErrorCode,
  INTERNAL_CONTEXT_HEADER,
  LruCache,
  meshError,
  Scope,
  signInternalContext,
} from '@attention-mesh/platform';

/** Who an API key belongs to, as the users subgraph answers `apiKeyIdentity`. */
export interface ApiKeyIdentity {
  /** The key's id (never the key). */
  apiKeyId: string;
  partnerId: string;
  /** Among the scopes a key may carry (see KEY_SCOPES); others are dropped. */
  scopes: string[];
}

/** The scopes an API key may grant. */
export const KEY_SCOPES: readonly string[] = [Scope.ADS_REQUEST, Scope.EVENTS_WRITE, Scope.ANALYTICS_READ];

/** `amk_<prefix: 10 hex>_<secret: base64url>`; anything else is not looked up. */
const KEY_FORMAT = /^amk_[0-9a-f]{10}_[A-Za-z0-9_-]{16,128}$/;

const QUERY = 'query($key: String!) { apiKeyIdentity(key: $key) { id partnerId scopes } }';

export interface ApiKeyResolverOptions {
  /** The users subgraph's URL (read when needed: it may change with the supergraph). */
  usersUrl: () => string | undefined;
  internalSecret: string;
  /** How long an answer, positive or negative, is kept (at most 60 s, so a revoked key stops soon). */
  cacheMs: number;
  /** Most keys remembered (default 10 000). */
  capacity?: number;
  now?: () => number;
}

interface Entry {
  identity: ApiKeyIdentity | null;
  until: number;
}

const unavailable = () =>
  meshError(ErrorCode.DOWNSTREAM_SERVICE_ERROR, 'API keys cannot be checked right now', {
    http: { status: 503 },
  });

/**
 * Resolves API keys through the users subgraph (`apiKeyIdentity`, asked as the gateway itself with a
 * `mesh:gateway` context), caching answers by the key's sha256 so the key itself is never kept.
 * Returns null for an unknown, revoked or malformed key. A users subgraph that cannot answer is a
 * DOWNSTREAM_SERVICE_ERROR (503) and nothing is cached.
 */
export function createApiKeyResolver(
  opts: ApiKeyResolverOptions,
): (key: string) => Promise<ApiKeyIdentity | null> {
  const cache = new LruCache<string, Entry>(opts.capacity ?? 10_000);
  const inFlight = new Map<string, Promise<ApiKeyIdentity | null>>();
  const now = opts.now ?? Date.now;

  async function lookUp(key: string): Promise<ApiKeyIdentity | null> {
    const url = opts.usersUrl();
    if (!url) throw unavailable();
    let body: { data?: { apiKeyIdentity?: unknown } | null; errors?: unknown[] };
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [INTERNAL_CONTEXT_HEADER]: signInternalContext({ scopes: [Scope.GATEWAY] }, opts.internalSecret),
        },
        body: JSON.stringify({ query: QUERY, variables: { key } }),
        signal: AbortSignal.timeout(5_000),
      });
      body = (await res.json()) as typeof body;
    } catch {
      throw unavailable();
    }
    if (body.errors?.length || !body.data) throw unavailable();
    const found = body.data.apiKeyIdentity as { id?: unknown; partnerId?: unknown; scopes?: unknown } | null;
    if (!found) return null;
    if (typeof found.id !== 'string' || typeof found.partnerId !== 'string' || !Array.isArray(found.scopes))
      throw unavailable();
    return {
      apiKeyId: found.id,
      partnerId: found.partnerId,
      scopes: found.scopes.filter((s): s is string => typeof s === 'string' && KEY_SCOPES.includes(s)),
    };
  }

  return async (key) => {
    if (!KEY_FORMAT.test(key)) return null;
    const hash = createHash('sha256').update(key).digest('hex');
    const hit = cache.get(hash);
    if (hit && hit.until > now()) return hit.identity;
    let pending = inFlight.get(hash);
    if (!pending) {
      pending = lookUp(key)
        .then((identity) => {
          if (opts.cacheMs > 0) cache.set(hash, { identity, until: now() + opts.cacheMs });
          return identity;
        })
        .finally(() => inFlight.delete(hash));
      inFlight.set(hash, pending);
    }
    return pending;
  };
}
