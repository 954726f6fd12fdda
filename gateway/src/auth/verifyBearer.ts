import { CLIENT_SCOPES, ErrorCode, meshError } from '@attention-mesh/platform';
import type { GraphQLError } from 'graphql';
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  type JWTVerifyOptions,
  jwtVerify,
} from 'jose';
import { VerifiedTokens } from './verifiedTokens.js';

/** What a person's token says about them. */
export interface BearerIdentity {
  userId: string;
  scopes: string[];
  advertiserId?: string;
}

export interface BearerOptions {
  /** HS256 secret (development and tests; production only with an explicit secret). */
  secret?: string;
  /** RS256/ES256 keys, fetched and cached (refreshed on an unknown `kid`) by jose. */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  /**
   * How long a verified token is accepted again without checking its signature (never past its
   * `exp`); 0 checks every request (JWT_CACHE_MS).
   */
  cacheMs?: number;
  /** For tests. */
  currentDate?: () => Date;
}

/** Clock skew tolerated on `exp` and `nbf`. */
const CLOCK_TOLERANCE_S = 30;
const ASYMMETRIC = ['RS256', 'ES256'] as const;
/** Verified tokens kept (each at most 4 KiB of text). */
const CACHED_TOKENS = 10_000;

const unauthenticated = (why: string): GraphQLError =>
  meshError(ErrorCode.UNAUTHENTICATED, `Invalid bearer token: ${why}`, { http: { status: 401 } });

/** jose's errors, as a client should read them (nothing about keys or internals). */
function why(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') return 'not valid yet (nbf)';
    if (err.reason === 'missing') return `missing ${err.claim}`;
    if (err.claim === 'iss') return 'unexpected issuer';
    if (err.claim === 'aud') return 'unexpected audience';
    return `invalid ${err.claim}`;
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'bad signature';
  if (err instanceof errors.JWKSNoMatchingKey) return 'signed by an unknown key';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'algorithm not accepted';
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid)
    return 'signing keys unavailable';
  // Not jose's own verdict: the identity provider's keys could not be fetched.
  if (!(err instanceof errors.JOSEError)) return 'signing keys unavailable';
  return 'malformed';
}

/**
 * Verifies people's bearer JWTs: HS256 with the shared secret, RS256/ES256 with the identity
 * provider's JWKS. `exp` (numeric) and `sub` (string) are required, `nbf` honoured, 30 s of clock skew
 * tolerated, issuer and audience checked when configured. Scopes other than the client scopes (e.g.
 * `mesh:gateway`) are dropped. A bad token throws UNAUTHENTICATED (HTTP 401) saying what is wrong.
 * An accepted token is remembered for `cacheMs` (`VerifiedTokens`).
 */
export function createBearerVerifier(opts: BearerOptions): (token: string) => Promise<BearerIdentity> {
  const secret = opts.secret ? new TextEncoder().encode(opts.secret) : undefined;
  const jwks = opts.jwksUrl ? createRemoteJWKSet(new URL(opts.jwksUrl)) : undefined;
  const checks = (algorithms: string[]): JWTVerifyOptions => ({
    algorithms,
    requiredClaims: ['exp', 'sub'],
    clockTolerance: CLOCK_TOLERANCE_S,
    ...(opts.issuer ? { issuer: opts.issuer } : {}),
    ...(opts.audience ? { audience: opts.audience } : {}),
    ...(opts.currentDate ? { currentDate: opts.currentDate() } : {}),
  });
  const now = opts.currentDate ? () => (opts.currentDate as () => Date)().getTime() : Date.now;
  const verified = new VerifiedTokens<BearerIdentity>(opts.cacheMs ?? 0, CACHED_TOKENS, now);
  // A copy each time: the caller is built from it.
  const copy = (identity: BearerIdentity): BearerIdentity => ({ ...identity, scopes: [...identity.scopes] });
  return async (token) => {
    const known = verified.get(token);
    if (known) return copy(known);
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw unauthenticated('malformed');
    }
    let payload: JWTPayload;
    try {
      if (alg === 'HS256' && secret) payload = (await jwtVerify(token, secret, checks(['HS256']))).payload;
      else if (jwks && (ASYMMETRIC as readonly string[]).includes(alg ?? ''))
        payload = (await jwtVerify(token, jwks, checks([...ASYMMETRIC]))).payload;
      else throw unauthenticated(`algorithm ${alg ?? 'none'} not accepted`);
    } catch (err) {
      if (err instanceof Error && 'extensions' in err) throw err;
      throw unauthenticated(why(err));
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') throw unauthenticated('missing sub');
    const scope = payload.scope;
    if (scope !== undefined && typeof scope !== 'string') throw unauthenticated('invalid scope');
    const identity: BearerIdentity = {
      userId: payload.sub,
      scopes: [...new Set((scope ?? '').split(' ').filter((s) => CLIENT_SCOPES.includes(s)))],
    };
    const advertiserId = payload.advertiser_id;
    if (advertiserId !== undefined) {
      if (typeof advertiserId !== 'string' || advertiserId === '')
        throw unauthenticated('invalid advertiser_id');
      identity.advertiserId = advertiserId;
    }
    // `exp` is a required number here (jwtVerify checked it).
    verified.set(token, identity, ((payload.exp ?? 0) + CLOCK_TOLERANCE_S) * 1000);
    return copy(identity);
  };
}
