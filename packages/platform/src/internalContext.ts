import { createHmac, timingSafeEqual } from 'node:crypto';
import { ErrorCode, meshError } from './errors.js';

/** The header the gateway sets on every subgraph call. */
export const INTERNAL_CONTEXT_HEADER = 'x-mesh-context';

/** Who is calling, as established by the gateway. */
export interface Caller {
  /** The authenticated person, if any. */
  userId?: string;
  /** The partner whose API key was used, if any. */
  partnerId?: string;
  scopes: string[];
}

interface SignedClaims extends Caller {
  /** Issued at, epoch ms. */
  iat: number;
}

export const ANONYMOUS: Caller = Object.freeze({ scopes: [] }) as Caller;

const b64 = (buf: Buffer | string) => Buffer.from(buf).toString('base64url');
const mac = (secret: string, payload: string) => createHmac('sha256', secret).update(payload).digest();

/** `payload.signature`, both base64url; the payload is the caller plus its issue time. */
export function signInternalContext(caller: Caller, secret: string, now = Date.now()): string {
  const claims: SignedClaims = { ...caller, iat: now };
  const payload = b64(JSON.stringify(claims));
  return `${payload}.${b64(mac(secret, payload))}`;
}

/**
 * Verifies a header from the gateway. A missing header is an anonymous caller; a header that does not
 * check out (bad signature, too old, from the future, malformed) is an UNAUTHENTICATED error, so a direct
 * call to a subgraph cannot impersonate anyone.
 */
export function verifyInternalContext(
  header: string | undefined,
  secret: string,
  opts: { now?: number; maxAgeMs?: number } = {},
): Caller {
  if (header === undefined || header === '') return ANONYMOUS;
  const now = opts.now ?? Date.now();
  const maxAgeMs = opts.maxAgeMs ?? 60_000;
  const reject = (why: string) =>
    meshError(ErrorCode.UNAUTHENTICATED, `Internal context rejected: ${why}`, { http: { status: 401 } });
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
  if (typeof claims.iat !== 'number' || !Array.isArray(claims.scopes)) throw reject('malformed');
  if (now - claims.iat > maxAgeMs) throw reject('expired');
  if (claims.iat - now > maxAgeMs) throw reject('issued in the future');
  const caller: Caller = { scopes: claims.scopes.filter((s) => typeof s === 'string') };
  if (typeof claims.userId === 'string') caller.userId = claims.userId;
  if (typeof claims.partnerId === 'string') caller.partnerId = claims.partnerId;
  return caller;
}
