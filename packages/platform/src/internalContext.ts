import { createHmac, timingSafeEqual } from 'node:crypto';
import { ANONYMOUS, type Caller } from './access/caller.js';
import { ErrorCode, meshError } from './errors.js';

/** The header the gateway sets on every subgraph call. */
export const INTERNAL_CONTEXT_HEADER = 'x-mesh-context';

/** How long a signed context stays valid by default: the longest a gateway request may run. */
export const DEFAULT_CONTEXT_TTL_MS = 5 * 60_000;

/** Clock skew tolerated between the gateway and a subgraph. */
const SKEW_MS = 30_000;

interface SignedClaims extends Caller {
  /** Issued at, epoch ms. */
  iat: number;
  /** Valid until, epoch ms: the end of the request it was signed for. */
  exp: number;
}

const b64 = (buf: Buffer | string) => Buffer.from(buf).toString('base64url');
const mac = (secret: string, payload: string) => createHmac('sha256', secret).update(payload).digest();

/**
 * `payload.signature`, both base64url; the payload is the caller, its issue time and its expiry. The
 * gateway signs once per client request, so every subgraph call of that request carries the same
 * context, valid for the request's whole life (`ttlMs`), however late a fetch is sent.
 */
export function signInternalContext(
  caller: Caller,
  secret: string,
  opts: { now?: number; ttlMs?: number } = {},
): string {
  const now = opts.now ?? Date.now();
  const claims: SignedClaims = { ...caller, iat: now, exp: now + (opts.ttlMs ?? DEFAULT_CONTEXT_TTL_MS) };
  const payload = b64(JSON.stringify(claims));
  return `${payload}.${b64(mac(secret, payload))}`;
}

const STRING_CLAIMS = ['userId', 'advertiserId', 'partnerId', 'apiKeyId'] as const;

/**
 * Verifies a header from the gateway. A header that does not check out (bad signature, expired, issued
 * in the future, malformed) is an UNAUTHENTICATED error (HTTP 401), so a direct call to a subgraph cannot
 * impersonate anyone. A missing header is an anonymous caller, or, with `required` (production), a 401 too.
 */
export function verifyInternalContext(
  header: string | undefined,
  secret: string,
  opts: { now?: number; required?: boolean } = {},
): Caller {
  const reject = (why: string) =>
    meshError(ErrorCode.UNAUTHENTICATED, `Internal context rejected: ${why}`, { http: { status: 401 } });
  if (header === undefined || header === '') {
    if (opts.required) throw reject('this service answers only the gateway');
    return ANONYMOUS;
  }
  const now = opts.now ?? Date.now();
  const [payload, signature, extra] = header.split('.');
  if (!payload || !signature || extra !== undefined) throw reject('malformed');
  const expected = mac(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw reject('bad signature');
  let claims: SignedClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as SignedClaims;
  } catch {
    throw reject('malformed');
  }
  if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number' || !Array.isArray(claims.scopes))
    throw reject('malformed');
  if (now > claims.exp + SKEW_MS) throw reject('expired');
  if (claims.iat > now + SKEW_MS) throw reject('issued in the future');
  const caller: Caller = { scopes: claims.scopes.filter((s) => typeof s === 'string') };
  for (const key of STRING_CLAIMS) if (typeof claims[key] === 'string') caller[key] = claims[key];
  if (typeof claims.dpEpsilon === 'number' && claims.dpEpsilon > 0 && Number.isFinite(claims.dpEpsilon))
    caller.dpEpsilon = claims.dpEpsilon;
  return caller;
}
