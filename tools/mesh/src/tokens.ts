import { CLIENT_SCOPES, DEV_JWT_SECRET } from '@attention-mesh/platform';
import { SignJWT } from 'jose';

/** A person's bearer token, as the gateway reads it. */
export interface DevelopmentTokenClaims {
  /** The user id (`sub`). */
  sub: string;
  /** Scopes among the client scopes (admin, analytics:read, ads:write, ...), space-separated or a list; none by default. */
  scope?: string | readonly string[];
  /** `advertiser_id`: the advertiser a member with `ads:write` acts for. */
  advertiserId?: string;
  /** Lifetime: a whole number and a unit (`30s`, `15m`, `1h`, `7d`); default `1h`, at most 30 days. */
  ttl?: string;
}

/** A token request that cannot be signed; the message names the option. */
export class TokenRequestError extends Error {}

const MAX_TTL_SECONDS = 30 * 24 * 3600;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 24 * 3600 };
const ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

/** `30s`, `15m`, `1h`, `7d` in seconds; more than 30 days, zero or anything else is refused. */
export function parseTtl(ttl: string): number {
  const m = /^(\d{1,7})([smhd])$/.exec(ttl.trim());
  if (!m) throw new TokenRequestError(`ttl: expected a number and a unit (30s, 15m, 1h, 7d), got "${ttl}"`);
  const seconds = Number(m[1]) * (UNIT_SECONDS[m[2] as string] as number);
  if (seconds <= 0) throw new TokenRequestError('ttl: must be more than 0');
  if (seconds > MAX_TTL_SECONDS) throw new TokenRequestError(`ttl: at most 30 days (30d), got "${ttl}"`);
  return seconds;
}

function scopesOf(scope: string | readonly string[] | undefined): string[] {
  const list = typeof scope === 'string' ? scope.split(/\s+/) : [...(scope ?? [])];
  const scopes = [...new Set(list.map((s) => s.trim()).filter(Boolean))];
  const unknown = scopes.filter((s) => !CLIENT_SCOPES.includes(s));
  if (unknown.length)
    throw new TokenRequestError(
      `scope: unknown ${unknown.map((s) => `"${s}"`).join(', ')} (known: ${CLIENT_SCOPES.join(' ')})`,
    );
  return scopes;
}

/**
 * Signs a development bearer token (HS256) with `sub`, `scope` (space-separated, when there are
 * any), `advertiser_id` (when given), `iat` and a numeric `exp`. The secret defaults to the one every
 * service uses outside production.
 */
export async function signDevelopmentToken(
  claims: DevelopmentTokenClaims,
  secret: string = DEV_JWT_SECRET,
): Promise<string> {
  if (!ID.test(claims.sub))
    throw new TokenRequestError('sub: a user id of 1-128 letters, digits and . _ : @ - is required');
  if (claims.advertiserId !== undefined && !ID.test(claims.advertiserId))
    throw new TokenRequestError('advertiserId: 1-128 letters, digits and . _ : @ -');
  const scopes = scopesOf(claims.scope);
  const ttl = parseTtl(claims.ttl ?? '1h');
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, string> = {};
  if (scopes.length) payload.scope = scopes.join(' ');
  if (claims.advertiserId !== undefined) payload.advertiser_id = claims.advertiserId;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt(now)
    .setExpirationTime(now + ttl)
    .sign(new TextEncoder().encode(secret));
}
